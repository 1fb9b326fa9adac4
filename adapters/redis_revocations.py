"""The RevokedSessions port in Redis: one deny-list shared by every worker and replica.

An entry is the key `{namespace}:deny:sid:{session_id}` whose value is its `until` (Unix
seconds). Whether a session is denied is decided by comparing that value with the caller's
`now`, exactly as the port states it (denied while `until > now`), so the answer never depends on
Redis's clock. Redis's own expiry only collects garbage: a key lives until `until` by the Redis
server's clock plus `retention_margin_s`, which covers workers whose clocks lag Redis's. Entries
never shrink: a shorter `until` leaves a longer one in place, atomically, in a Lua script.
Needs Redis 6.2 or newer (`SET ... EXAT`).

The key `{namespace}:deny:complete` says that Redis holds every live revocation: it is set after
the revocation log was copied in (`mark_complete`), and read with each entry (`lookup`), so a
Redis that restarted empty or was flushed is noticed on the next check at no extra round trip.
"""

from collections.abc import Sequence
from typing import NamedTuple

import redis.asyncio
from redis.exceptions import RedisError

from domain.errors import StoreUnavailable

DEFAULT_NAMESPACE = "connect-backend"
DEFAULT_RETENTION_MARGIN_S = 60

# KEYS[1] the entry; ARGV[1] its `until`; ARGV[2] the retention margin. Returns 1 if it wrote.
_ADD_SCRIPT = """
local requested = tonumber(ARGV[1])
local stored = tonumber(redis.call('GET', KEYS[1]))
if stored ~= nil and stored >= requested then
  return 0
end
local server_now = tonumber(redis.call('TIME')[1])
local expire_at = math.max(requested, server_now) + tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'EXAT', string.format('%d', expire_at))
return 1
"""


# Entries per pipeline when many are added at once (the revocation log copied in).
_PIPELINE_ENTRIES = 1000


class RevocationStoreUnavailable(StoreUnavailable):
    """The deny-list could not be read or written; no answer about revocation is known."""


class Lookup(NamedTuple):
    """One session's answer, and whether Redis still holds every live revocation."""

    denied: bool
    complete: bool


class RedisRevokedSessions:
    """A deny-list of ended sessions in Redis, consistent across every client of one server."""

    def __init__(
        self,
        client: redis.asyncio.Redis,
        namespace: str = DEFAULT_NAMESPACE,
        *,
        retention_margin_s: int = DEFAULT_RETENTION_MARGIN_S,
    ) -> None:
        self._client = client
        self._prefix = f"{namespace}:deny:sid:"
        self._complete_key = f"{namespace}:deny:complete"
        self._retention_margin_s = retention_margin_s
        self._add = client.register_script(_ADD_SCRIPT)

    async def add(self, session_id: str, until: int) -> None:
        """Deny `session_id` until `until`, unless it is already denied for longer.

        Raises `RevocationStoreUnavailable` when Redis fails.
        """
        try:
            await self._add(
                keys=[self._prefix + session_id], args=[until, self._retention_margin_s]
            )
        except RedisError as error:
            raise RevocationStoreUnavailable("could not add to the Redis deny-list") from error

    async def add_many(self, session_ids: Sequence[str], until: int) -> None:
        """`add` for each of `session_ids`, pipelined.

        Raises `RevocationStoreUnavailable` when Redis fails (some may have been added).
        """
        try:
            for start in range(0, len(session_ids), _PIPELINE_ENTRIES):
                async with self._client.pipeline(transaction=False) as pipe:
                    for session_id in session_ids[start : start + _PIPELINE_ENTRIES]:
                        await self._add(
                            keys=[self._prefix + session_id],
                            args=[until, self._retention_margin_s],
                            client=pipe,
                        )
                    await pipe.execute()
        except RedisError as error:
            raise RevocationStoreUnavailable("could not add to the Redis deny-list") from error

    async def contains(self, session_id: str, now: int) -> bool:
        """Whether `session_id` is denied at `now`.

        Raises `RevocationStoreUnavailable` when Redis fails: the caller must not guess.
        """
        return (await self.lookup(session_id, now)).denied

    async def lookup(self, session_id: str, now: int) -> Lookup:
        """Whether `session_id` is denied at `now`, and whether Redis is known to hold every
        live revocation (the marker of the last copy of the log is there): one round trip.

        Raises `RevocationStoreUnavailable` when Redis fails.
        """
        try:
            until, complete = await self._client.mget(
                [self._prefix + session_id, self._complete_key]
            )
        except RedisError as error:
            raise RevocationStoreUnavailable("could not read the Redis deny-list") from error
        return Lookup(until is not None and int(until) > now, complete is not None)

    async def is_complete(self) -> bool:
        """Whether the marker of the last copy of the log is there.

        Raises `RevocationStoreUnavailable` when Redis fails.
        """
        try:
            return bool(await self._client.exists(self._complete_key))
        except RedisError as error:
            raise RevocationStoreUnavailable("could not read the Redis deny-list") from error

    async def mark_complete(self) -> None:
        """Say that Redis holds every live revocation: call it after copying the log in.

        Raises `RevocationStoreUnavailable` when Redis fails.
        """
        try:
            await self._client.set(self._complete_key, b"1")
        except RedisError as error:
            raise RevocationStoreUnavailable("could not write the Redis deny-list") from error
