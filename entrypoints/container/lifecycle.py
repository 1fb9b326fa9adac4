"""Starting and stopping the container: its resources live inside one event loop.

dependency-injector puts every provider that depends on an async resource in async mode, where
each call returns a new awaitable; on a request's hot path providers must answer synchronously.
So `started` enters the async resources itself, each as the async context manager its
generator is, and binds the value in the container (`override` with `providers.Object`): the
providers that depend on it only ever see a plain value. Synchronous resources (tracing) are
left to the library, which starts and stops them without any async mode (decision 0024).
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING, Any, cast

from dependency_injector import providers

if TYPE_CHECKING:
    from entrypoints.container import Container

# The containers inside a `started` block: a nested one leaves their resources to the outer.
_running: weakref.WeakSet[Container] = weakref.WeakSet()


@asynccontextmanager
async def started(container: Container) -> AsyncIterator[Container]:
    """`container` with its resources (database engine, Redis, HTTP client, the background
    work) started in dependency order, and torn down on exit in the reverse order, in the event
    loop that uses them: the background work is drained before the resources it uses close.
    Inside another `started` of the same container it changes nothing: the outer one owns the
    resources. A resource overridden beforehand (tests) is not started: its value is given."""
    if container in _running:
        yield container
        return
    _running.add(container)
    try:
        async with AsyncExitStack() as stack:
            for resource in in_dependency_order(container):
                if resource.overridden:
                    continue
                if inspect.isasyncgenfunction(_generator(resource)):
                    await _enter_async(stack, resource)
                else:
                    resource.init()
                    stack.callback(resource.shutdown)
            yield container
    finally:
        _running.discard(container)


def in_dependency_order(container: Container) -> list[providers.Resource[Any]]:
    """The container's resources, each after every resource it is built from, and otherwise in
    the order the container declares them (`traverse` yields a set's order, which varies)."""
    declared = list(container.providers.values())
    pending: list[providers.Resource[Any]] = sorted(
        container.traverse(types=[providers.Resource]),
        key=lambda resource: declared.index(resource) if resource in declared else len(declared),
    )
    ordered: list[providers.Resource[Any]] = []
    while pending:
        ready = [
            resource
            for resource in pending
            if all(needed in ordered for needed in _resources_used_by(resource))
        ]
        if not ready:
            raise RuntimeError(f"resources that need each other: {pending}")
        ordered.extend(ready)
        pending = [resource for resource in pending if resource not in ready]
    return ordered


def _resources_used_by(resource: providers.Resource[Any]) -> list[providers.Resource[Any]]:
    return [used for used in resource.traverse(types=[providers.Resource]) if used is not resource]


async def _enter_async(stack: AsyncExitStack, resource: providers.Resource[Any]) -> None:
    # The resources it is built from are bound already (dependency order): its arguments are
    # plain values, and so is what its generator yields.
    generator = cast(Callable[..., AsyncIterator[Any]], _generator(resource))
    args = [_value(arg) for arg in resource.args]
    kwargs = {name: _value(arg) for name, arg in resource.kwargs.items()}
    value = await stack.enter_async_context(asynccontextmanager(generator)(*args, **kwargs))
    bound = providers.Object(value)
    resource.override(bound)
    stack.callback(_withdraw, resource, bound)


def _generator(resource: providers.Resource[Any]) -> object:
    # The function the container was given: the library keeps it wrapped as a context manager.
    return inspect.unwrap(cast(Callable[..., Any], resource.provides))


def _value(arg: object) -> object:
    return arg() if isinstance(arg, providers.Provider) else arg


def _withdraw(resource: providers.Resource[Any], bound: providers.Object[Any]) -> None:
    # Only our binding: an override a test put on top of it stays.
    kept = [overriding for overriding in resource.overridden if overriding is not bound]
    resource.reset_override()
    for overriding in kept:
        resource.override(overriding)
