"""Handlers get only the container providers their controller names (`wire.ContainerController`):
a parameter named after any other provider is read from the request, and a provider is asked
on every request, so a test's override applies to the next one."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from dependency_injector import providers
from litestar import Litestar, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery

from entrypoints.container import Container
from entrypoints.web.app import AUTH_CONTROLLERS, create_app
from entrypoints.web.operations import DiscoveryController, HealthController
from entrypoints.web.wire import ContainerController
from tests.fakes.fake_clock import FakeClock
from tests.http.conftest import dev_settings, running_app


class ClockProbe(ContainerController):
    uses = ("clock",)

    @get("/probe/clock", sync_to_thread=False)
    def now(self, clock: NamedDependency[FakeClock]) -> int:
        return clock.now()


class UndeclaredProbe(ContainerController):
    uses = ("clock",)

    @get("/probe/users", sync_to_thread=False)
    def users(self, users: FromQuery[str] = "not injected") -> str:
        return users


@get("/probe/plain", sync_to_thread=False)
def plain(clock: FromQuery[str] = "not injected") -> str:
    return clock


def with_probes(container: Container) -> Litestar:
    return create_app(container, extra_handlers=[ClockProbe, UndeclaredProbe, plain])


def test_a_parameter_named_after_an_undeclared_provider_is_read_from_the_request(
    tmp_path: Path,
) -> None:
    with running_app(dev_settings(tmp_path), build=with_probes) as api:
        assert api.client.get("/probe/plain").text == "not injected"
        assert api.client.get("/probe/plain", params={"clock": "mine"}).text == "mine"
        assert api.client.get("/probe/users").text == "not injected"
        assert api.client.get("/probe/users", params={"users": "mine"}).text == "mine"


def test_a_declared_provider_is_asked_on_every_request(tmp_path: Path) -> None:
    with running_app(dev_settings(tmp_path), build=with_probes) as api:
        api.container.clock.override(providers.Object(FakeClock(1_000)))
        assert api.client.get("/probe/clock").json() == 1_000
        api.container.clock.override(providers.Object(FakeClock(2_000)))
        assert api.client.get("/probe/clock").json() == 2_000


@pytest.mark.parametrize("controller", [*AUTH_CONTROLLERS, DiscoveryController, HealthController])
def test_each_controller_names_exactly_the_providers_its_handlers_take(
    controller: type[ContainerController],
) -> None:
    provided = set(Container.providers)
    taken = {
        name
        for value in vars(controller).values()
        if hasattr(value, "fn")
        for name in inspect.signature(value.fn).parameters
        if name in provided
    }
    assert set(controller.uses) == taken
    assert len(controller.uses) == len(set(controller.uses))


def _greeting() -> str:
    return "hello"


class OwnDependencyProbe(ContainerController):
    uses = ("clock",)
    dependencies = {"greeting": Provide(_greeting, sync_to_thread=False)}  # noqa: RUF012

    @get("/probe/own", sync_to_thread=False)
    def own(self, greeting: NamedDependency[str], clock: NamedDependency[FakeClock]) -> str:
        return f"{greeting} {clock.now()}"


def test_a_controller_keeps_a_dependency_of_its_own_beside_its_providers(tmp_path: Path) -> None:
    build = lambda container: create_app(container, extra_handlers=[OwnDependencyProbe])  # noqa: E731
    with running_app(dev_settings(tmp_path), build=build) as api:
        answer = api.client.get("/probe/own")
        assert answer.status_code == 200
        assert answer.text == f"hello {api.container.clock().now()}"
