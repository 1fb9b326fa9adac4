"""The shared Redis client: one bounded connection pool per process, closed at shutdown."""

from redis.asyncio import BlockingConnectionPool, Redis
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
# Connections per process. Under a flood more requests than this await Redis at once (each
# holds its connection until the loop reads the answer): they queue for a connection
# instead of failing at once as redis-py's default pool does (`MaxConnectionsError`).
POOL_MAX_CONNECTIONS = 100
# How long a request queues for a connection before it is refused (`ConnectionError`: the
# deny-list answers 503, the rate limiter counts in memory): well under the request deadline.
POOL_TIMEOUT_S = 1.0


def create_redis_client(url: str) -> Redis:
    """A client for `url` (`redis://` or `rediss://`); connects lazily, on the first command."""
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=POOL_MAX_CONNECTIONS,
        timeout=POOL_TIMEOUT_S,
        socket_timeout=_SOCKET_TIMEOUT_S,
        socket_connect_timeout=_SOCKET_TIMEOUT_S,
        health_check_interval=_HEALTH_CHECK_INTERVAL_S,
        retry=Retry(
            ExponentialWithJitterBackoff(cap=_BACKOFF_CAP_S, base=_BACKOFF_BASE_S), _RETRIES
        ),
    )
    # The client owns the pool: closing it disconnects every connection.
    return Redis.from_pool(pool)


async def ping_redis(client: Redis) -> None:
    """Raise unless Redis answers PING."""
    if not await client.ping():
        raise ConnectionError("Redis did not answer PING")
