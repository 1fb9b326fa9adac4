"""The production ASGI application, built from the environment in each worker process.

`connect-backend serve` with WORKERS > 1 hands uvicorn this factory's import path: every worker
process builds its own container (engine, HTTP client, Redis pool) after it has started.
"""

import os

from litestar import Litestar

from entrypoints.container import Container
from entrypoints.logging_setup import configure_logging
from entrypoints.settings import Settings
from entrypoints.web.app import create_app

FACTORY = "entrypoints.asgi:app_from_environment"


def app_from_environment() -> Litestar:
    """The app `serve` runs, configured exactly as the parent process validated it."""
    configure_logging(json=True)
    return create_app(Container(settings=Settings.from_env(os.environ)))
