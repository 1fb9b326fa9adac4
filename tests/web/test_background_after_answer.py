"""Work a request starts in the background waits until the request's answer is sent."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from litestar.types import Scope

from entrypoints.background import BackgroundTasks, after_the_answer

SCOPE = cast(Scope, {"type": "http"})


async def test_work_started_by_a_request_runs_once_it_is_answered() -> None:
    tasks, events = BackgroundTasks(), list[str]()

    async def work() -> None:
        events.append("work")

    async def app(scope: Any, receive: Any, send: Any) -> None:
        tasks.start(work, "work")
        for _ in range(20):
            await asyncio.sleep(0)
        events.append("answered")

    await after_the_answer(app, delay_s=0.0)(SCOPE, _never, _never)
    await tasks.drain()

    assert events == ["answered", "work"]


async def test_work_a_task_left_behind_starts_after_the_answer_runs_at_once() -> None:
    tasks, events = BackgroundTasks(), list[str]()
    answered = asyncio.Event()
    left_behind: list[asyncio.Task[None]] = []

    async def work() -> None:
        events.append("work")

    async def app(scope: Any, receive: Any, send: Any) -> None:
        async def after() -> None:
            await answered.wait()
            tasks.start(work, "work")
            await tasks.drain()

        # It inherits the request's context, and so what holds the request's work.
        left_behind.append(asyncio.create_task(after()))

    await after_the_answer(app, delay_s=0.0)(SCOPE, _never, _never)
    answered.set()
    await left_behind[0]

    assert events == ["work"]


async def test_work_started_outside_a_request_runs_at_once() -> None:
    tasks, events = BackgroundTasks(), list[str]()

    async def work() -> None:
        events.append("work")

    tasks.start(work, "work")
    await tasks.drain()

    assert events == ["work"]


async def _never(*_: Any) -> Any:
    raise AssertionError("not called")
