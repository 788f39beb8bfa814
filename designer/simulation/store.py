"""Where a run's durable state lives, so that any Daphne process can read it and take it over.

Two stores, one interface (async):

- `LocalStore` (the default; in-memory channel layer, SQLite, one process): the lease is always
  granted, nothing is written anywhere, reads go to the `Run` of this process.
- `RedisStore` (`REDIS_URL` and `DATABASE_URL` set, or `DESIGNER_SIM_STORE = "redis"`): per design
  (keys prefixed `sim:<database name>:`) `sim:<id>:lease` (`SET NX PX`, renewed every `RENEW_S` by the hosting process, expires after
  `LEASE_MS`), `sim:<id>:run` (a hash: `meta` = run id, starter, seed, document, the hosting
  process's mailbox channel; `actions` = the action log; `pos` = status, t, speed, seq, events_run,
  msg... = the last streamed position; `tables`) and `sim:<id>:ring` (a sorted set by seq: the
  ring buffer, capped at `RING_SIZE`). The hosting process writes them BEFORE it publishes the
  batch they describe, so whatever a viewer received is already readable from Redis.
  Per user, `sim:<db>:user:<who>:sockets` and `:runs`: the seats that make "10 sockets, 2 runs per
  user" hold across processes (sorted sets member -> expiry in ms on Redis's clock; `take_seat`,
  `refresh_seats`, `count_runs`; docs/websocket-protocol.md, "Limits").

Why Redis and not a PostgreSQL row (docs/design.md, "Scale-out"): the ring is written 20 times a
second per run; the lease needs a TTL that expires by itself when the process dies (a row needs a
heartbeat column and a sweeper); and the channel layer already depends on Redis being up. The
price: Redis keeps this state in memory only (`--save ""` in the tests): a Redis restart loses it,
so the hosting process, which still has everything, writes it all again when its lease renewal
finds the lease gone (keeper.py).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
from typing import Any

from django.conf import settings

LEASE_MS = 3000
RENEW_S = 1.0
DATA_TTL_S = 3600  # the data keys outlive a dead run by at most this (refreshed by the host)
RING_SIZE = 10_000

_RENEW = """
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not v then return 2 end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
# Per-user seats (sockets, runs): a sorted set of member -> expiry (ms, Redis's clock, so the
# processes' clocks never matter). Taking one drops the expired ones, then checks the count and
# adds, in one script: two processes can never both take the last seat.
_NOW = "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)\n"
_TAKE = _NOW + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local ttl = tonumber(ARGV[3])
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
"""
_REFRESH = _NOW + """
local ttl = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + ttl, ARGV[i + 1])
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end
return #KEYS
"""
_SEATS = _NOW + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local out = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
table.insert(out, tostring(now))
return out
"""
FINAL = frozenset({"stopped", "failed", "interrupted"})
SOCKET_TTL_MS = 30_000  # a killed process's sockets stop counting after this
SOCKET_REFRESH_S = 10.0  # how often each process refreshes its sockets' seats
RUN_TTL_MS = 30_000  # a run's seat, refreshed by its host at every lease renewal
RUN_STALE_MS = 10_000  # a seat whose run's keys are gone (or hold another run) and not refreshed for this


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def mode() -> str:
    explicit = getattr(settings, "DESIGNER_SIM_STORE", None)
    if explicit:
        return explicit
    return "redis" if os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL") else "local"


class LocalStore:
    shared = False

    async def acquire(self, design_id: int, token: str) -> bool:
        return True

    async def renew(self, design_id: int, token: str) -> int:
        return 1

    async def release(self, design_id: int, token: str) -> None:
        return None

    async def drop_seat(self, kind: str, who: str, member: str) -> None:
        return None


class RedisStore:
    shared = True

    def __init__(self, url: str, prefix: str = "sim"):
        self.url = url
        self.prefix = prefix
        self._clients: dict[int, Any] = {}

    def client(self):
        """One client per event loop (redis.asyncio connections belong to the loop that made them)."""
        import redis.asyncio as aioredis
        from redis.asyncio.retry import Retry
        from redis.backoff import ExponentialBackoff
        from redis.exceptions import ConnectionError as RedisConnectionError

        loop = asyncio.get_running_loop()
        entry = self._clients.get(id(loop))
        if entry is None or entry[0] is not loop:
            # The read timeout must exceed the 1 s a mailbox pop blocks (see config/settings.py).
            # Retried: after a Redis restart every pooled connection fails once ("closed by server").
            entry = (loop, aioredis.Redis.from_url(self.url, max_connections=50, socket_timeout=10.0,
                                                   socket_connect_timeout=2.0, health_check_interval=5,
                                                   retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 3),
                                                   retry_on_error=[RedisConnectionError]))
            self._clients[id(loop)] = entry
        return entry[1]

    def key(self, design_id: int, what: str) -> str:
        return f"{self.prefix}:{design_id}:{what}"

    # -- the lease ----------------------------------------------------------------------------
    async def acquire(self, design_id: int, token: str) -> bool:
        return bool(await self.client().set(self.key(design_id, "lease"), token, nx=True, px=LEASE_MS))

    async def renew(self, design_id: int, token: str) -> int:
        """1: renewed; 2: the lease is gone (a Redis restart); 0: another process holds it."""
        return int(await self.client().eval(_RENEW, 1, self.key(design_id, "lease"), token, LEASE_MS))

    async def release(self, design_id: int, token: str) -> None:
        await self.client().eval(_RELEASE, 1, self.key(design_id, "lease"), token)

    async def holder(self, design_id: int) -> str | None:
        value = await self.client().get(self.key(design_id, "lease"))
        return value.decode() if isinstance(value, bytes) else value

    # -- the run's state ----------------------------------------------------------------------
    async def write(self, design_id: int, *, meta: dict | None = None, actions: list | None = None,
                    pos: dict | None = None, tables: Any = None, ring: list[tuple[int, str, str | None]] = (),
                    clear_ring: bool = False, cut_ring_from: int | None = None) -> None:
        r = self.client()
        run_key, ring_key = self.key(design_id, "run"), self.key(design_id, "ring")
        fields = {}
        if meta is not None:
            fields["meta"] = _dumps(meta)
            fields["run"] = _dumps(meta["run"])  # read alone when counting a user's runs (count_runs)
        if actions is not None:
            fields["actions"] = _dumps(actions)
        if pos is not None:
            fields["pos"] = _dumps(pos)
        if tables is not None:
            fields["tables"] = _dumps(tables)
        async with r.pipeline(transaction=True) as pipe:
            if clear_ring:  # a reset, a new run: nothing of the ring happened any more
                pipe.delete(ring_key)
            elif cut_ring_from is not None:  # a seek back: nothing from this seq on happened any more
                pipe.zremrangebyscore(ring_key, cut_ring_from, "+inf")
            if fields:
                pipe.hset(run_key, mapping=fields)
            if ring:
                pipe.zadd(ring_key, {_dumps([seq, slim, full]): seq for seq, slim, full in ring})
                pipe.zremrangebyrank(ring_key, 0, -RING_SIZE - 1)
            pipe.expire(run_key, DATA_TTL_S)
            pipe.expire(ring_key, DATA_TTL_S)
            await pipe.execute()

    async def read(self, design_id: int) -> dict | None:
        raw = await self.client().hgetall(self.key(design_id, "run"))
        if not raw or b"meta" not in raw or b"pos" not in raw:
            return None
        return {k.decode(): json.loads(v) for k, v in raw.items() if k != b"run"}

    async def ring_after(self, design_id: int, after_seq: int, limit: int, upto: int | None = None):
        """(entries [(seq, slim, full)], oldest seq kept or None)."""
        r = self.client()
        ring_key = self.key(design_id, "ring")
        async with r.pipeline(transaction=False) as pipe:
            pipe.zrange(ring_key, 0, 0, withscores=True)
            pipe.zrangebyscore(ring_key, f"({after_seq}", "+inf" if upto is None else upto, start=0, num=limit)
            first, items = await pipe.execute()
        oldest = int(first[0][1]) if first else None
        return [tuple(json.loads(item)) for item in items], oldest

    async def ring_last(self, design_id: int, n: int) -> list[tuple[int, str, str | None]]:
        items = await self.client().zrange(self.key(design_id, "ring"), -n, -1)
        return [tuple(json.loads(item)) for item in items]

    # -- per-user limits across processes: seats ------------------------------------------------
    def seat_key(self, kind: str, who: str) -> str:
        return f"{self.prefix}:user:{who}:{kind}"

    async def take_seat(self, kind: str, who: str, member: str, limit: int, ttl_ms: int) -> bool:
        """Count `member` (a socket id, `<design>:<run id>`) for `who` unless `limit` unexpired
        seats are taken already. True: taken (or already held, refreshed)."""
        return bool(await self.client().eval(_TAKE, 1, self.seat_key(kind, who), member, limit, ttl_ms))

    async def refresh_seats(self, kind: str, seats: list[tuple[str, str]], ttl_ms: int) -> None:
        """Push the expiry of these (who, member) seats `ttl_ms` ahead; re-adds them if Redis
        forgot them (a restart)."""
        if seats:
            await self.client().eval(_REFRESH, len(seats), *[self.seat_key(kind, who) for who, _m in seats],
                                     ttl_ms, *[member for _who, member in seats])

    async def drop_seat(self, kind: str, who: str, member: str) -> None:
        await self.client().zrem(self.seat_key(kind, who), member)

    async def seats(self, kind: str, who: str) -> tuple[dict[str, int], int]:
        """({member: expiry ms}, Redis's now in ms), the expired seats dropped."""
        out = await self.client().eval(_SEATS, 1, self.seat_key(kind, who))
        now = int(out.pop())
        return {out[i].decode(): int(float(out[i + 1])) for i in range(0, len(out), 2)}, now

    async def count_runs(self, who: str) -> int:
        """How many runs of `who` are not final, in any process. Drops stale seats first: a run
        whose state says it is final, or whose keys are gone (or hold another run of the design)
        and whose seat has not been refreshed for `RUN_STALE_MS` (a seat is taken just before the
        run's state is first written, and refreshed by its host every `RENEW_S`)."""
        held, now = await self.seats("runs", who)
        stale = []
        if held:
            r = self.client()
            async with r.pipeline(transaction=False) as pipe:
                for member in held:
                    pipe.hmget(self.key(int(member.split(":", 1)[0]), "run"), "run", "pos")
                got = await pipe.execute()
            for (member, expiry), (run_id, pos) in zip(held.items(), got, strict=True):
                if run_id is not None and run_id == _dumps(member.split(":", 1)[1]).encode():
                    if pos is not None and json.loads(pos).get("status") in FINAL:
                        stale.append(member)
                elif now > expiry - RUN_TTL_MS + RUN_STALE_MS:
                    stale.append(member)
            if stale:
                await r.zrem(self.seat_key("runs", who), *stale)
        return len(held) - len(stale)

    # -- mailboxes: requests forwarded to the hosting process, and their replies --------------
    def box(self, process_id: str) -> str:
        return f"{self.prefix}:box:{process_id}"

    async def box_push(self, box: str, message: dict) -> None:
        data = message.get("data")
        if isinstance(data, (bytes, bytearray)):
            message = {**message, "data": None, "bytes": base64.b64encode(data).decode()}
        async with self.client().pipeline(transaction=True) as pipe:
            pipe.rpush(box, _dumps(message))
            pipe.expire(box, 60)
            await pipe.execute()

    async def box_pop(self, box: str, timeout: float = 1.0) -> dict | None:
        got = await self.client().blpop([box], timeout=timeout)
        if got is None:
            return None
        message = json.loads(got[1])
        if "bytes" in message:
            message["data"] = base64.b64decode(message.pop("bytes"))
        return message

    async def watched(self, design_id: int) -> None:
        await self.client().set(self.key(design_id, "watch"), "1", px=int(RENEW_S * 5000))

    async def is_watched(self, design_id: int) -> bool:
        return bool(await self.client().exists(self.key(design_id, "watch")))

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        entry = self._clients.pop(id(loop), None)
        if entry is not None:
            try:
                await entry[1].aclose()
            except Exception:
                pass


_STORE: LocalStore | RedisStore | None = None


def store() -> LocalStore | RedisStore:
    global _STORE
    wanted = mode()
    if _STORE is None or (wanted == "redis") != _STORE.shared:
        url = getattr(settings, "REDIS_URL", "") or os.environ.get("REDIS_URL", "")
        # Namespaced by database: the processes that share a database share runs; another
        # database on the same Redis (a test run, a second site) never sees them.
        prefix = getattr(settings, "DESIGNER_SIM_PREFIX", None) or f"sim:{settings.DATABASES['default']['NAME']}"
        _STORE = RedisStore(url, prefix) if wanted == "redis" else LocalStore()
    return _STORE
