"""The shared Redis client: one connection pool per process, closed at shutdown."""

from redis.asyncio import Redis

# Redis answers in well under a millisecond; a second means it is gone, not slow.
_SOCKET_TIMEOUT_S = 1.0


def create_redis_client(url: str) -> Redis:
    """A client for `url` (`redis://` or `rediss://`); connects lazily, on the first command."""
    return Redis.from_url(
        url,
        socket_timeout=_SOCKET_TIMEOUT_S,
        socket_connect_timeout=_SOCKET_TIMEOUT_S,
        health_check_interval=30,
    )


async def ping_redis(client: Redis) -> None:
    """Raise unless Redis answers PING."""
    if not await client.ping():
        raise ConnectionError("Redis did not answer PING")
