"""`connect-backend emulator`: the Corbado emulator alone, as its granian worker builds it."""

from __future__ import annotations

import os

from litestar import Litestar

from corbado_emulator.app import create_emulator_app
from entrypoints.asgi import json_logs
from entrypoints.cli import EMULATOR_API_SECRET, EMULATOR_PROJECT_ID
from entrypoints.configuration.settings import DEV_API_SECRET, DEV_PROJECT_ID
from entrypoints.container import configure_logging


def emulator_from_environment() -> Litestar:
    """The Corbado emulator alone, for the project and API secret `emulator` was given (the
    command passes them to its worker in `EMULATOR_PROJECT_ID` and `EMULATOR_API_SECRET`)."""
    configure_logging(json=json_logs("emulator"))
    return create_emulator_app(
        os.environ.get(EMULATOR_PROJECT_ID) or DEV_PROJECT_ID,
        os.environ.get(EMULATOR_API_SECRET) or DEV_API_SECRET,
    )
