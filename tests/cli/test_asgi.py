"""What the worker factories do beyond building the app."""

import gc
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
