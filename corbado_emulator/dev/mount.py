"""The emulator inside dev's app, at `EMULATOR_MOUNT`: for the demo and other frontends on this
machine, which call its Frontend API from the browser."""

from __future__ import annotations

from litestar import Litestar, asgi
from litestar.handlers import ASGIRouteHandler
from litestar.types import Receive, Scope, Send

from entrypoints.cli import EMULATOR_MOUNT

__all__ = ["EMULATOR_MOUNT", "mounted"]


def mounted(emulator: Litestar) -> ASGIRouteHandler:
    """`emulator` as a route handler of the app, at `EMULATOR_MOUNT` and everything under it."""

    @asgi(EMULATOR_MOUNT, is_mount=True, copy_scope=True, include_in_schema=False)
    async def corbado_emulator(scope: Scope, receive: Receive, send: Send) -> None:
        # Litestar hands a mount only the rest of the path; the emulator names its own URL
        # (the Frontend API's `frontendApiUrl`) by the ASGI convention instead: `root_path` is
        # where it is mounted and `path` the whole path.
        root_path = scope.get("root_path", "") + EMULATOR_MOUNT
        scope["root_path"], scope["path"] = root_path, root_path + scope["path"]
        await emulator(scope, receive, send)

    return corbado_emulator
