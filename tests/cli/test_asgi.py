"""What the worker factories do beyond building the app."""

import gc
import subprocess
import sys
from collections.abc import Iterator

import pytest
from litestar import Litestar

from entrypoints.asgi import ready_to_serve


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("unfrozen")
def test_what_start_up_built_is_kept_out_of_garbage_collection() -> None:
    app = Litestar([])
    assert gc.get_freeze_count() == 0
    assert ready_to_serve(app) is app
    assert gc.get_freeze_count() > 0


def test_serve_loads_nothing_of_the_emulator() -> None:
    # The import contract checks the imports it can see; this, what `serve`'s process loads:
    # its command line, its worker factory and the app it builds (decision 0023).
    script = (
        "import sys\n"
        "from entrypoints.cli import _parser\n"
        "from entrypoints.asgi import app_from_environment\n"
        "from entrypoints.container import Container\n"
        "from entrypoints.configuration import Settings\n"
        "from entrypoints.web.app import create_app\n"
        "create_app(Container(settings=Settings.for_dev({})))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'corbado_emulator'))\n"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
