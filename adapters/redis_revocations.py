"""The RevokedSessions port in Redis: one deny-list shared by every worker and replica.

An entry is the key `{namespace}:deny:sid:{session_id}` whose value is its `until` (Unix
seconds). Whether a session is denied is decided by comparing that value with the caller's
`now`, exactly as the port states it (denied while `until > now`), so the answer never depends on
Redis's clock. Redis's own expiry only collects garbage: a key lives until `until` by the Redis
server's clock plus `retention_margin_s`, which covers workers whose clocks lag Redis's. Entries
never shrink: a shorter `until` leaves a longer one in place, atomically, in a Lua script.
Needs Redis 6.2 or newer (`SET ... EXAT`).
"""

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


class RevocationStoreUnavailable(StoreUnavailable):
    """The deny-list could not be read or written; no answer about revocation is known."""


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

    async def contains(self, session_id: str, now: int) -> bool:
        """Whether `session_id` is denied at `now`.

        Raises `RevocationStoreUnavailable` when Redis fails: the caller must not guess.
        """
        try:
            until = await self._client.get(self._prefix + session_id)
        except RedisError as error:
            raise RevocationStoreUnavailable("could not read the Redis deny-list") from error
        return until is not None and int(until) > now
