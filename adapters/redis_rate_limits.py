"""Rate-limit counters in Redis, shared by every worker and instance that uses the same server."""

from redis.asyncio import Redis
from redis.exceptions import RedisError

# INCR and EXPIRE in one round trip that no other client can interleave: a counter never
# outlives its window, even when this process dies between the two commands.
_HIT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then
    redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return count
"""

# Only an existing counter above zero: a DECR on an expired key would create one without expiry.
_REFUND = """
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then
    return redis.call('DECR', KEYS[1])
end
return 0
"""


class RedisRateLimitCounters:
    """Fixed-window counters under `<namespace>:rl:<key>:<window start>`.

    Raises `ConnectionError` when Redis cannot count (down, timing out, refusing).
    """

    def __init__(self, client: Redis, namespace: str = "connect-backend") -> None:
        self._namespace = namespace
        self._hit = client.register_script(_HIT)
        self._refund = client.register_script(_REFUND)

    async def hit(self, key: str, window_s: int, now: int) -> int:
        # The counter expires by Redis's own clock; one extra second covers clock skew.
        try:
            count = await self._hit(keys=[self._key(key, window_s, now)], args=[window_s + 1])
        except RedisError as exc:
            raise ConnectionError(f"Redis could not count: {type(exc).__name__}") from exc
        return int(count)

    async def refund(self, key: str, window_s: int, now: int) -> None:
        try:
            await self._refund(keys=[self._key(key, window_s, now)])
        except RedisError as exc:
            raise ConnectionError(f"Redis could not refund: {type(exc).__name__}") from exc

    def _key(self, key: str, window_s: int, now: int) -> str:
        return f"{self._namespace}:rl:{key}:{now - now % window_s}"
