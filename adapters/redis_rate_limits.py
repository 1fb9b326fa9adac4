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


class RedisRateLimitCounters:
    """Fixed-window counters under `<namespace>:rl:<key>:<window start>`.

    Raises `ConnectionError` when Redis cannot count (down, timing out, refusing).
    """

    def __init__(self, client: Redis, namespace: str = "connect-backend") -> None:
        self._namespace = namespace
        self._hit = client.register_script(_HIT)

    async def hit(self, key: str, window_s: int, now: int) -> int:
        window_start = now - now % window_s
        redis_key = f"{self._namespace}:rl:{key}:{window_start}"
        # The counter expires by Redis's own clock; one extra second covers clock skew.
        try:
            count = await self._hit(keys=[redis_key], args=[window_s + 1])
        except RedisError as exc:
            raise ConnectionError(f"Redis could not count: {type(exc).__name__}") from exc
        return int(count)
