"""What domain errors carry besides their kind, and that they all live in one drawn tree."""

import importlib
import inspect
import pkgutil
import re

import domain
from domain import errors
from domain.errors import CorbadoUnavailable, DomainError, RateLimited


def test_an_unavailable_corbado_is_retried_later_only_when_the_adapter_says_so() -> None:
    failed = CorbadoUnavailable("Corbado answered /v2/users with HTTP 500")
    assert (str(failed), failed.retry_later) == ("Corbado answered /v2/users with HTTP 500", False)
    assert CorbadoUnavailable("Corbado rate limit reached", retry_later=True).retry_later


def test_a_rate_limit_refusal_is_a_domain_error_that_says_which_limit_and_when() -> None:
    refused = RateLimited("login", 17)
    assert isinstance(refused, DomainError)
    assert (refused.limit, refused.retry_after_s, str(refused)) == (
        "login",
        17,
        "rate limit login reached",
    )


def _drawn_parents() -> dict[str, str]:
    """The docstring's drawing as {error: the error it hangs under}."""
    parents: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for line in (errors.__doc__ or "").splitlines():
        drawn = re.match(r"^([│ ]*)(?:├── |└── )?([A-Z]\w+)\b", line)
        if drawn is None or drawn.group(2) not in vars(errors):
            continue
        depth = len(drawn.group(1)) if line[len(drawn.group(1)) :][:1] in "├└" else -1
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            parents[drawn.group(2)] = stack[-1][1]
        stack.append((depth, drawn.group(2)))
    return parents


def _error_classes(module: object) -> dict[str, type[BaseException]]:
    return {
        name: kind
        for name, kind in vars(module).items()
        if inspect.isclass(kind)
        and issubclass(kind, BaseException)
        and kind.__module__ == getattr(module, "__name__", None)
    }


def test_the_docstring_draws_every_domain_error_under_its_base_class() -> None:
    defined = _error_classes(errors)
    assert defined.keys() - {"DomainError"} == _drawn_parents().keys()
    for name, parent in _drawn_parents().items():
        assert defined[name].__bases__ == (defined[parent],), name


def test_no_module_of_the_domain_but_errors_defines_an_exception() -> None:
    elsewhere = {
        f"{info.name}.{name}"
        for info in pkgutil.walk_packages(domain.__path__, "domain.")
        if info.name != "domain.errors"
        for name in _error_classes(importlib.import_module(info.name))
    }
    assert elsewhere == set()
