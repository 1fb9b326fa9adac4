"""Work beside the requests in each worker: the tasks `serve` runs (the periodic purge, the
revocation follower) and how they wait and stop; and the `BackgroundTasks` that run work a
request started after its answer (the `BackgroundWork` port, decision 0021), held until then by
the app's `after_the_answer` middleware."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from typing import Any

from litestar.types import ASGIApp, Receive, Scope, Send

_log = logging.getLogger("connect_backend.background")

Work = Callable[[], Awaitable[None]]


class _Held:
    """The work a request started, held until it is answered: (where it runs, the work, its
    name). Closed once answered: a task the request left behind (it inherits the request's
    context) starts its work at once."""

    def __init__(self) -> None:
        self.works: list[tuple[BackgroundTasks, Work, str]] = []
        self.open = True


_held: ContextVar[_Held | None] = ContextVar("held_background_work", default=None)

# Past this many unfinished pieces (a mail server down under a flood of requests) new work is
# dropped, with a warning, rather than held in memory without bound.
MAX_PENDING = 1000
# How long shutdown waits for unfinished work before cancelling it.
DRAIN_S = 10.0
# A request's work waits this long once its app has returned: a server may finish writing the
# answer from the event loop after that, and work that ran first would delay it. Far longer than
# that takes; nothing a mailed link needs is that urgent.
ANSWER_WRITTEN_S = 0.05


class BackgroundTasks:
    """Runs each piece of work as its own task; a failure is logged under the work's name."""

    def __init__(self, max_pending: int = MAX_PENDING) -> None:
        self._max_pending = max_pending
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, work: Callable[[], Awaitable[None]], name: str) -> None:
        held = _held.get()
        if held is not None and held.open:
            held.works.append((self, work, name))
            return
        self.start_after(0.0, work, name)

    def start_after(self, delay_s: float, work: Work, name: str) -> None:
        """`start`, the work waiting `delay_s` first (pending meanwhile, drained at shutdown)."""
        if len(self._tasks) >= self._max_pending:
            _log.warning("Too much background work pending: a %s was dropped", name)
            return
        task = asyncio.get_running_loop().create_task(self._run(delay_s, work, name), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout_s: float = DRAIN_S) -> None:
        """Wait up to `timeout_s` for the unfinished work, then cancel what is left."""
        if not self._tasks:
            return
        _, unfinished = await asyncio.wait(set(self._tasks), timeout=timeout_s)
        for task in unfinished:
            _log.warning("Background %s cancelled at shutdown", task.get_name())
            task.cancel()
        if unfinished:
            await asyncio.wait(unfinished)

    @staticmethod
    async def _run(delay_s: float, work: Work, name: str) -> None:
        if delay_s > 0:
            await asyncio.sleep(delay_s)
        try:
            await work()
        except Exception as exc:
            # The error's kind and message only: a traceback's frames may hold a mailed link.
            _log.error("Background %s failed: %s: %s", name, type(exc).__name__, exc)


def after_the_answer(app: ASGIApp, *, delay_s: float = ANSWER_WRITTEN_S) -> ASGIApp:
    """`app`, whose requests' background work starts `delay_s` after the app has answered.

    A server's `send` lets the loop run other tasks while it writes, and it finishes writing
    from the loop after the app returns, so work started at once would run before the answer
    leaves: the lookup and mail of a known address would make `POST /auth/recovery` slower
    than for an unknown one (decision 0021).
    """

    async def holding(scope: Scope, receive: Receive, send: Send) -> None:
        held = _Held()
        token = _held.set(held)
        try:
            await app(scope, receive, send)
        finally:
            _held.reset(token)
            held.open = False
            for tasks, work, name in held.works:
                tasks.start_after(delay_s, work, name)

    return holding


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
