"""The Docker engine and the image, shared by every image test of a session."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.image.engine import Docker, base_image, build_image, docker_engine


@pytest.fixture(scope="session")
def docker() -> Iterator[Docker]:
    """An engine that answers: the running one, or one started for this session."""
    with docker_engine() as engine:
        yield engine


@pytest.fixture(scope="session")
def base(docker: Docker) -> str:
    """The Debian stand-in for the official Python image, made when missing."""
    return base_image(docker)


@pytest.fixture(scope="session")
def image(docker: Docker, base: str) -> str:
    """The project's image, built from the repository's Dockerfile on the stand-in base."""
    return build_image(docker, base)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test here `image`, so that `-m image` (or `-m "not image"`) selects them."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.image)
