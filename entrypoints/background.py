"""Tasks `serve` runs in each worker beside the requests, and how they wait and stop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

# Waits `seconds` unless `stop` is set first; says whether it was (True) or the time passed.
Wait = Callable[[asyncio.Event, float], Awaitable[bool]]


async def wait_or_stop(stop: asyncio.Event, seconds: float) -> bool:
    """Whether `stop` was set within `seconds` (True) or they passed first (False)."""
    try:
        async with asyncio.timeout(seconds):
            await stop.wait()
    except TimeoutError:
        return False
    return True


def start_task(
    run: Callable[[asyncio.Event], Coroutine[Any, Any, None]], name: str
) -> Callable[[], Awaitable[None]]:
    """Start `run(stop)` as a task; returns what stops it at shutdown: it sets `stop` and
    cancels work in flight, then waits for the task to end."""
    stop = asyncio.Event()
    task = asyncio.create_task(run(stop), name=name)

    async def stop_it() -> None:
        stop.set()
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            # Ours, unless the shutdown itself is being cancelled: then pass it on.
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise

    return stop_it
