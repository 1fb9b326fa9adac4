"""What every ring reports its metrics, its request spans and its incidents through: the one
observability seam.

`PrometheusMetrics` (`metrics.py`) implements `Metrics`, `Tracing` (`traces.py`)
`RequestTracing`, and `IncidentLog` (`adapters/incident_log.py`) `Incidents`; the container
builds them. Each consumer asks for the narrowest view it
uses: the request path for `Metrics`, the rate limiter's events for `RateLimitMetrics`, the
metered Corbado adapter for `CorbadoCallMetrics`.

Both rings import this module: adapters may not import the entrypoints, and the entrypoints may
import nothing else of the adapters ring (pyproject.toml's import contracts allow this module
alone, and another proves that it imports only the standard library).
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


class RateLimitMetrics(Protocol):
    """The counters the rate limiter's events move."""

    @property
    def rate_limited(self) -> Counted:
        """Requests refused with 429, by limit."""
        ...

    @property
    def rate_limit_store_failures(self) -> Count:
        """Requests let through uncounted because the rate-limit store failed."""
        ...

    @property
    def rate_limit_local_counts(self) -> Count:
        """Hits counted in this process's memory because the shared store failed."""
        ...


class CorbadoCallMetrics(Protocol):
    """Where each measured Corbado call is reported."""

    def observe_corbado_call(self, operation: str, outcome: str, seconds: float) -> None:
        """Count one call of `operation` that ended in `outcome` and took `seconds`."""
        ...


# Runtime-checkable: Litestar checks what a named dependency gives against its annotation.
@runtime_checkable
class Metrics(RateLimitMetrics, CorbadoCallMetrics, Protocol):
    """The service's metrics: the request path's, `/metrics`, and the views above."""

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


class RequestTracing(Protocol):
    """The request's server span, when requests are traced (it is current in here)."""

    def current_trace_id(self) -> str | None:
        """The trace id of the span in progress, as 32 hex digits."""
        ...

    def name_current_span(self, method: str, route: str) -> None:
        """Name the span by the route template, which is known only once routed."""
        ...


class Incidents(Protocol):
    """Where a recurring failure is logged once per incident, not once per request."""

    @property
    def failing(self) -> bool:
        """Whether an incident is open."""
        ...

    def failed(self, error: BaseException) -> None:
        """One more failure; logged only if it opens an incident."""
        ...

    def answered(self) -> None:
        """A success; ends the incident once nothing has failed for a while."""
        ...
