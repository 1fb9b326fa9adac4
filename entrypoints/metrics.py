"""What the web layer records in the service's metrics: the narrow view it is handed.

The container builds the Prometheus implementation (adapters/observability); the entrypoints
see only these properties, so they import nothing from the adapters ring.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


class Count(Protocol):
    """One counter series."""

    def inc(self) -> None:
        """Add one."""
        ...


class Durations(Protocol):
    """One histogram series."""

    def observe(self, amount: float) -> None:
        """Record one duration, in seconds."""
        ...


class Counted(Protocol):
    """A counter, by label values."""

    def labels(self, *values: str) -> Count:
        """The series for these label values, in the metric's label order."""
        ...


class Timed(Protocol):
    """A histogram, by label values."""

    def labels(self, *values: str) -> Durations:
        """The series for these label values, in the metric's label order."""
        ...


# Runtime-checkable: Litestar checks what a named dependency gives against its annotation.
@runtime_checkable
class Metrics(Protocol):
    """The service's metrics, as the request path and `/metrics` use them."""

    @property
    def http_requests(self) -> Counted:
        """By method, route template and status."""
        ...

    @property
    def http_request_duration(self) -> Timed:
        """By method and route template."""
        ...

    @property
    def logins(self) -> Counted:
        """By method (password, passkey) and outcome."""
        ...

    @property
    def token_refusals(self) -> Counted:
        """Bearer access tokens refused, by reason."""
        ...

    def render(self, accept: str) -> tuple[bytes, str]:
        """The exposition body and its content type, negotiated from an `Accept` header."""
        ...
