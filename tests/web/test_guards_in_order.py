"""The app's guards run as one: in order, and none after the first that refuses."""

from __future__ import annotations

from typing import Any, cast

import pytest
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers import BaseRouteHandler
from litestar.types import Guard

from entrypoints.web.operations import in_order

CONNECTION = cast(ASGIConnection[Any, Any, Any, Any], object())
HANDLER = cast(BaseRouteHandler, object())


def recording(seen: list[str], name: str, *, refuse: bool = False, sync: bool = False) -> Guard:
    def check(connection: object, handler: object) -> None:
        assert (connection, handler) == (CONNECTION, HANDLER)
        seen.append(name)
        if refuse:
            raise NotAuthorizedException(name)

    async def async_check(connection: object, handler: object) -> None:
        check(connection, handler)

    return check if sync else async_check


async def test_every_guard_runs_in_order_on_the_same_handler() -> None:
    seen: list[str] = []
    guard = in_order(recording(seen, "a"), recording(seen, "b", sync=True), recording(seen, "c"))
    await guard(CONNECTION, HANDLER)  # type: ignore[misc]
    assert seen == ["a", "b", "c"]


async def test_none_runs_after_the_first_refusal() -> None:
    seen: list[str] = []
    guard = in_order(recording(seen, "a"), recording(seen, "b", refuse=True), recording(seen, "c"))
    with pytest.raises(NotAuthorizedException, match="b"):
        await guard(CONNECTION, HANDLER)  # type: ignore[misc]
    assert seen == ["a", "b"]
