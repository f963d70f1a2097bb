"""Two worker processes writing one whoosh index at the same moment: both writes land.

(whoosh's default writer raises LockError when another process holds the index; ours
waits for the lock.) Processes are spawned, not forked: the test process has threads.
"""

import multiprocessing
from datetime import datetime
from pathlib import Path

from forum.search.backend_whoosh import WhooshBackend
from forum.search.documents import Document


def write_many(directory: str, start: int, ready, go) -> None:  # noqa: ANN001
    backend = WhooshBackend(directory, lock_timeout=60)
    ready.set()
    go.wait(30)
    for n in range(start, start + 15):
        backend.write([Document(key=f"ficha:{n}", kind="ficha", ref_id=n, title=f"Ayllu {n}",
                                parts=(("lessons", "Mapas del ayllu."),),
                                date=datetime(2024, 1, 1))], [])


def test_writers_in_two_processes_never_raise_lock_errors(tmp_path: Path):
    directory = str(tmp_path / "index")
    WhooshBackend(directory).write([], [])  # create it
    spawn = multiprocessing.get_context("spawn")
    go = spawn.Event()
    readies = [spawn.Event(), spawn.Event()]
    workers = [spawn.Process(target=write_many, args=(directory, start, ready, go))
               for start, ready in zip((1, 100), readies, strict=True)]
    for w in workers:
        w.start()
    for ready in readies:
        assert ready.wait(60)
    go.set()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0]
    stamps = WhooshBackend(directory).stamps()
    assert len(stamps) == 30
