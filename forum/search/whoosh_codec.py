"""How the whoosh backend lays postings out on disk: whoosh 3's codec, made cheap to read
a whole posting list at a time (what forum.search.bitmaps does) and cheap to write.

whoosh 3 pickles each block of 128 postings as one tuple (ids, weights, positions) and
zlib-compresses it: reading a word's documents means unpickling every position of every
posting, which was 60-70 % of building a frequent word's bitmap. Here a block holds a
small pickle of two byte strings (document-number deltas as uint32, weights as float32 or
nothing when all are 1) followed by the positions, which are only unpickled when a phrase
asks for them. Positions themselves are a raw uint32 array rather than a pickle per
posting, and segments are written without per-block length statistics (they only serve
whoosh's own block-skipping scorer and cost a column read per posting).

Segments record their codec, so an index written with another layout is refused at open
(backend_whoosh then starts an empty index and `flask search reindex` rebuilds it).
"""

from __future__ import annotations

import pickle
import struct
from array import array
from itertools import accumulate
from typing import Any

from whoosh import formats
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3LeafMatcher, W3PostingsWriter
from whoosh.matching import ListMatcher
from whoosh.util.numeric import length_to_byte

_COUNT = struct.Struct("!I")
LAYOUT = 3  # bump when the block layout or the schema changes


class Positions(formats.Positions):
    """Positions as a raw array of 32-bit integers instead of a pickle per posting."""

    def encode(self, poslist: list[int]) -> bytes:
        return _COUNT.pack(len(poslist)) + array("I", poslist).tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return array("I", valuestring[4:]).tolist()

    def decode_frequency(self, valuestring: bytes) -> int:
        return _COUNT.unpack(valuestring[:4])[0]


class PostingsWriter(W3PostingsWriter):
    def _write_block(self, last: bool = False) -> None:
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        ids = self._ids
        deltas = array("I", (b - a for a, b in zip((0, *ids), ids, strict=False)))
        weights = self._weights
        packed = None if weights.count(1.0) == len(weights) else weights.tobytes()
        head = pickle.dumps((deltas.tobytes(), packed), 2)
        values = pickle.dumps(tuple(self._values), 2) if self._values else b""
        data = _COUNT.pack(len(head)) + head + values
        info = pickle.dumps((len(ids), ids[-1], self._maxweight, 0,
                             length_to_byte(self._minlength), length_to_byte(self._maxlength)),
                            2)
        length = len(info) + len(data)
        self._postfile.write_int(-length if last else length)
        self._postfile.write(info)
        self._postfile.write(data)
        self._blockcount += 1
        self._new_block()


class LeafMatcher(W3LeafMatcher):
    """Reads the block layout above; `block()` gives a whole block's ids and weights."""

    def _read_data(self) -> None:
        raw = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
        size = _COUNT.unpack(raw[:4])[0]
        self._data = (pickle.loads(raw[4 : 4 + size]), raw, 4 + size)

    def block(self) -> tuple[Any, Any]:
        """(document numbers, weights or None when all are 1) of the current block."""
        if self._data is None:
            self._read_data()
        deltas, weights = self._data[0]
        ids = array("I")
        ids.frombytes(deltas)
        return accumulate(ids), (array("f", weights) if weights is not None else None)

    def _read_ids(self) -> None:
        ids, _weights = self.block()
        self._ids = tuple(ids)

    def _read_weights(self) -> None:
        _ids, weights = self.block()
        self._weights = weights if weights is not None else array("f", [1.0]) * self._blocklength

    def _read_values(self) -> None:
        if self._data is None:
            self._read_data()
        _head, raw, start = self._data
        fixed = self._fixedsize
        if fixed is None or fixed < 0:
            self._values = pickle.loads(raw[start:]) if start < len(raw) else ()
        elif fixed == 0:
            self._values = (None,) * self._blocklength
        else:
            vs = raw[start:]
            self._values = tuple(vs[i : i + fixed] for i in range(0, len(vs), fixed))


class Codec(W3Codec):
    length_stats = False
    layout = LAYOUT

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> PostingsWriter:
        return PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                              compression=0, inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None,
                        scorer: Any = None) -> Any:
        if terminfo.is_inlined():
            ids, weights, values = terminfo.inlined_postings()
            return ListMatcher(ids, weights, values, format_, scorer=scorer, term=term,
                               terminfo=terminfo)
        offset, length = terminfo.extent()
        return LeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)
