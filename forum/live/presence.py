"""Who is on a page now: a count per room, right across workers when Redis is configured.

Each connection (Socket.IO sid) is a member of the set `live:presence:<room>`, and each
audience channel it reads through counts in `live:channels:<room>`, so that events are
rendered only for audiences someone is reading. With FORUM_REDIS_URL both live in Redis and
every worker counts the same people; without it (one process) they live in memory. A
worker that dies leaves its sids behind: each key expires an hour after its last change,
which bounds how wrong a count can stay."""

from __future__ import annotations

import threading
from collections import defaultdict

import redis

EXPIRE_SECONDS = 3600


class Presence:
    def __init__(self, redis_url: str | None) -> None:
        self._redis = redis.Redis.from_url(redis_url) if redis_url else None
        self._rooms: dict[str, set[str]] = defaultdict(set)
        self._channels: dict[str, dict[str, int]] = defaultdict(dict)
        self._lock = threading.Lock()

    def enter(self, room: str, sid: str) -> int:
        if self._redis is not None:
            key = f"live:presence:{room}"
            pipe = self._redis.pipeline()
            pipe.sadd(key, sid).expire(key, EXPIRE_SECONDS).scard(key)
            return int(pipe.execute()[-1])
        with self._lock:
            self._rooms[room].add(sid)
            return len(self._rooms[room])

    def leave(self, room: str, sid: str) -> int:
        if self._redis is not None:
            key = f"live:presence:{room}"
            pipe = self._redis.pipeline()
            pipe.srem(key, sid).scard(key)
            return int(pipe.execute()[-1])
        with self._lock:
            self._rooms[room].discard(sid)
            count = len(self._rooms[room])
            if not count:
                self._rooms.pop(room, None)
            return count

    def listen(self, room: str, channel: str, change: int) -> None:
        """One more (+1) or one less (-1) connection reading `room` through `channel`."""
        if self._redis is not None:
            key = f"live:channels:{room}"
            pipe = self._redis.pipeline()
            pipe.hincrby(key, channel, change).expire(key, EXPIRE_SECONDS)
            pipe.execute()
            return
        with self._lock:
            counts = self._channels[room]
            counts[channel] = counts.get(channel, 0) + change
            if counts[channel] <= 0:
                del counts[channel]

    def channels(self, room: str) -> set[str]:
        """The audience channels of a room that someone reads now: only those are rendered."""
        if self._redis is not None:
            found = self._redis.hgetall(f"live:channels:{room}")
            return {k.decode() for k, v in found.items() if int(v) > 0}
        with self._lock:
            return set(self._channels.get(room, ()))

    def count(self, room: str) -> int:
        if self._redis is not None:
            return int(self._redis.scard(f"live:presence:{room}"))
        with self._lock:
            return len(self._rooms.get(room, ()))
