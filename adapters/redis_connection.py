"""The shared Redis client: one connection pool per process, closed at shutdown."""

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff

# Every request consults the deny-list, so a dead Redis must fail fast (503), not stall
# requests: it answers in well under a millisecond, so a second means it is gone, not slow.
_SOCKET_TIMEOUT_S = 1.0
_HEALTH_CHECK_INTERVAL_S = 15
# One quick retry covers a connection dropped since its last use; redis-py's default of ten
# would hold a request for seconds.
_RETRIES = 1
_BACKOFF_BASE_S = 0.01
_BACKOFF_CAP_S = 0.1


def create_redis_client(url: str) -> Redis:
    """A client for `url` (`redis://` or `rediss://`); connects lazily, on the first command."""
    return Redis.from_url(
        url,
        socket_timeout=_SOCKET_TIMEOUT_S,
        socket_connect_timeout=_SOCKET_TIMEOUT_S,
        health_check_interval=_HEALTH_CHECK_INTERVAL_S,
        retry=Retry(
            ExponentialWithJitterBackoff(cap=_BACKOFF_CAP_S, base=_BACKOFF_BASE_S), _RETRIES
        ),
    )


async def ping_redis(client: Redis) -> None:
    """Raise unless Redis answers PING."""
    if not await client.ping():
        raise ConnectionError("Redis did not answer PING")
