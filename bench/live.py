"""Live delivery benchmark: from "post" to receipt on every connected client, and memory.

    .venv/bin/python bench/live.py              # 1, 100 and 1,000 clients; then 2 processes
    .venv/bin/python bench/live.py --clients 100 --posts 10

Steps: seed a throwaway instance (SQLite) with a conference; serve it with the production
setting for live pages (`gunicorn -k gevent -w 1 --worker-connections 10000`); connect N
visitors over websocket from one asyncio process (garbage collector off, so its pauses do
not pass for server latency), join the conference room; a logged-in participant posts
questions over the socket (python-socketio); receivers are bare Engine.IO websocket clients
that only stamp arrivals (aiohttp); each client's arrival time minus the time the post was sent is
one latency sample. The same again with two server processes sharing Redis as the message
queue: clients on one, the poster on the other. Memory per client is the worker's RSS
growth divided by N. Numbers are printed as measured; nothing is asserted.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import click
import socketio

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import _login, _machine, _server  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/0"
PASSWORD = "clave-de-banco-123"
NAMESPACE = "/live"
TARGET_P99_MS = 250.0  # at 1,000 clients on one process
DETAIL = "--detail" in sys.argv
WORKER = "geventwebsocket.gunicorn.workers.GeventWebSocketWorker"  # as the README says


@dataclass(frozen=True)
class Result:
    label: str
    clients: int
    samples: int
    lost: int
    p50_ms: float
    p99_ms: float
    kib_per_client: float | None


def seed(instance: Path) -> tuple[int, str]:
    """A conference and a participant who asks; returns (space id, their e-mail)."""
    from forum import create_app  # noqa: PLC0415 - the bench imports the app only here
    from forum.accounts import services as accounts
    from forum.accounts.models import Role
    from forum.extensions import db
    from forum.spaces import services as spaces

    app = create_app({"CONFIG": "Config", "INSTANCE_PATH": str(instance),
                      "DATABASE_URL": f"sqlite:///{instance / 'forum.db'}"})
    with app.app_context():
        db.create_all()
        host = accounts.register(db.session, email="facilita@bench.example",
                                 name="Facilita Dora", password=PASSWORD, country="PE")
        host.role = Role.FACILITATOR.value
        asker = accounts.register(db.session, email="pregunta@bench.example",
                                  name="Pregunta Dora", password=PASSWORD, country="BO")
        space = spaces.create_space(db.session, host, {"kind": "conference",
                                                       "title": "Conferencia del banco",
                                                       "framing": "Medimos la entrega."})
        db.session.commit()
        return space.id, asker.email


async def measure(receive_port: int, post_port: int, space_id: int, cookie: str,
                  clients: int, posts: int, worker_pid: int | None) -> tuple[list, int, float]:
    room = f"space:{space_id}"
    arrivals: list[list[float]] = []
    connected: list[aiohttp.ClientWebSocketResponse] = []
    gate = asyncio.Semaphore(50)
    before = _server.rss_kib(worker_pid) if worker_pid else 0

    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))  # no pool cap
    readers: list[asyncio.Task] = []

    async def connect_one() -> None:
        """A bare Engine.IO/Socket.IO v5 websocket client: it only stamps arrivals, so the
        load process spends microseconds per message (python-socketio's client costs so
        much more that, with 1,000 of them in one process, its own queue is the latency)."""
        mine: list[float] = []
        async with gate:
            ws = await session.ws_connect(
                f"ws://127.0.0.1:{receive_port}/socket.io/?EIO=4&transport=websocket",
                max_msg_size=0, autoping=False)
            assert (await ws.receive_str()).startswith("0")
            await ws.send_str(f"40{NAMESPACE},")
            assert (await ws.receive_str()).startswith(f"40{NAMESPACE}")
            await ws.send_str(f'42{NAMESPACE},0["join",{{"room":"{room}"}}]')
            while not (await ws.receive_str()).startswith(f"43{NAMESPACE},0"):
                pass

        async def read() -> None:
            async for message in ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    break
                if message.data == "2":
                    await ws.send_str("3")  # Engine.IO pong
                elif '"question.created"' in message.data:
                    mine.append(time.perf_counter())

        arrivals.append(mine)
        connected.append(ws)
        readers.append(asyncio.create_task(read()))

    await asyncio.gather(*(connect_one() for _ in range(clients)))
    await asyncio.sleep(1.0)
    grown = (_server.rss_kib(worker_pid) - before) / clients if worker_pid else None
    poster = socketio.AsyncClient(reconnection=False)
    await poster.connect(f"http://127.0.0.1:{post_port}", namespaces=[NAMESPACE],
                         transports=["websocket"],
                         headers={"Cookie": f"{_login.COOKIE}={cookie}",
                                  "User-Agent": _login.USER_AGENT})
    warm = await poster.call("post", {"space_id": space_id, "body": "Pregunta de calentamiento"},
                             namespace=NAMESPACE, timeout=30)  # templates compile here
    if not warm.get("ok"):
        raise click.ClickException(f"the post was refused: {warm}")
    await asyncio.sleep(1.0)
    for mine in arrivals:
        mine.clear()
    sent: list[float] = []
    for n in range(posts):
        sent.append(time.perf_counter())
        ack = await poster.call("post", {"space_id": space_id, "body": f"Pregunta {n} del banco"},
                                namespace=NAMESPACE, timeout=30)
        if not ack.get("ok"):
            raise click.ClickException(f"the post was refused: {ack}")
        await asyncio.sleep(0.3)
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline and any(len(a) < posts for a in arrivals):
        await asyncio.sleep(0.05)
    samples = [(a[i] - sent[i]) * 1000 for a in arrivals for i in range(min(len(a), posts))]
    if DETAIL:
        for i in range(posts):
            each = sorted((a[i] - sent[i]) * 1000 for a in arrivals if len(a) > i)
            click.echo(f"    post {i:2}: first {each[0]:6.1f} ms  median "
                       f"{each[len(each) // 2]:6.1f} ms  last {each[-1]:6.1f} ms")
    lost = clients * posts - len(samples)
    await poster.disconnect()
    await asyncio.gather(*(ws.close() for ws in connected), return_exceptions=True)
    for task in readers:
        task.cancel()
    await session.close()
    return samples, lost, grown


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_case(label: str, ports: tuple[int, int], space_id: int, cookie: str, clients: int,
             posts: int, worker_pid: int | None) -> Result:
    gc.disable()
    try:
        samples, lost, grown = asyncio.run(
            measure(ports[0], ports[1], space_id, cookie, clients, posts, worker_pid))
    finally:
        gc.enable()
        gc.collect()
    result = Result(label, clients, len(samples), lost,
                    statistics.median(samples) if samples else float("nan"),
                    percentile(samples, 0.99), grown)
    click.echo(f"  {label:<34} {clients:>5} clients  p50 {result.p50_ms:7.1f} ms  "
               f"p99 {result.p99_ms:7.1f} ms  lost {lost}")
    return result


def table(results: list[Result]) -> list[str]:
    lines = ["| setup | clients | deliveries | lost | p50 ms | p99 ms | KiB per client |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        memory = f"{r.kib_per_client:.0f}" if r.kib_per_client is not None else "—"
        lines.append(f"| {r.label} | {r.clients:,} | {r.samples:,} | {r.lost} | "
                     f"{r.p50_ms:.1f} | {r.p99_ms:.1f} | {memory} |")
    return lines


@click.command()
@click.option("--clients", "sizes", multiple=True, type=int, default=(1, 100, 1000),
              help="Connected clients per run (repeat the option).")
@click.option("--posts", default=20, show_default=True, help="Questions posted per run.")
@click.option("--detail", is_flag=True, help="Also print first/median/last arrival per post.")
def main(sizes: tuple[int, ...], posts: int, detail: bool) -> None:  # noqa: ARG001 - DETAIL
    busy = _machine.busy_percent()
    with tempfile.TemporaryDirectory(prefix="forum-live-bench-") as folder:
        instance = Path(folder)
        space_id, email = seed(instance)
        database = f"sqlite:///{instance / 'forum.db'}"
        settings = {"FORUM_POST_RATE_LIMIT": "10000 per minute",
                    "FORUM_LOGIN_RATE_LIMIT": "1000 per minute"}
        results = []
        with _server.serve_process(instance, database, 1, WORKER, settings,
                                   instance / "one.log") as (port, proc):
            cookie = _login.server_login(_server.HOST, port, email, PASSWORD)
            worker = (_server.children(proc.pid) or [None])[0]
            click.echo("One process (gevent, no message queue):")
            for n in sizes:
                results.append(run_case("1 process", (port, port), space_id, cookie, n, posts,
                                        worker))
        queue = settings | {"FORUM_REDIS_URL": REDIS_URL,
                            "FORUM_SOCKETIO_CHANNEL": f"forum-bench-{uuid.uuid4().hex[:8]}"}
        with ExitStack() as stack:
            a, _pa = stack.enter_context(_server.serve_process(
                instance, database, 1, WORKER, queue, instance / "a.log"))
            b, pb = stack.enter_context(_server.serve_process(
                instance, database, 1, WORKER, queue, instance / "b.log"))
            cookie = _login.server_login(_server.HOST, a, email, PASSWORD)
            click.echo("Two processes through Redis (clients on one, the poster on the other):")
            results.append(run_case("2 processes + Redis", (b, a), space_id, cookie,
                                    max(sizes), posts, (_server.children(pb.pid) or [None])[0]))
    click.echo("")
    for line in table(results):
        click.echo(line)
    click.echo(f"\nmachine: {_machine.describe()}; server: gunicorn -k {WORKER} -w 1 "
               f"--worker-connections 10000, SQLite; load: one asyncio process of bare "
               f"websocket clients (aiohttp), GC off; "
               f"{posts} posts per run, 0.3 s apart")
    biggest = [r for r in results if r.label == "1 process" and r.clients >= 1000]
    for r in biggest:
        verdict = "met" if r.p99_ms < TARGET_P99_MS else "NOT met"
        click.echo(f"target: p99 < {TARGET_P99_MS:.0f} ms at {r.clients:,} clients on one "
                   f"process -> {r.p99_ms:.1f} ms ({verdict})")
    if busy is not None and busy > 15:
        click.echo(f"note: CPUs {busy:.0f} % busy with other work before the run")


if __name__ == "__main__":
    main()
