"""OpenTelemetry traces (`Tracing`, the `RequestTracing` of `protocols.py`): a span for each
HTTP request, each Corbado call and each database statement, exported over OTLP when the
standard `OTEL_*` variables ask for it.

When they do not, nothing here is installed: no tracer provider, no middleware, no engine
listener, no Corbado span (decision 0018).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar.middleware.base import DefineMiddleware
from litestar.plugins.opentelemetry import OpenTelemetryConfig
from litestar.types import Scope
from opentelemetry import trace
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.metrics import NoOpMeter
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.semconv.attributes.http_attributes import HTTP_ROUTE
from sqlalchemy import Engine

SERVICE = "connect-backend"
# OTEL_TRACES_EXPORTER lists exporters by name; of them we ship OTLP over HTTP.
_OTLP = "otlp"


def tracing_wanted(environ: Mapping[str, str]) -> bool:
    """Whether the environment asks for traces, in the specification's own variables.

    `OTEL_SDK_DISABLED=true` says no. `OTEL_TRACES_EXPORTER`, a comma-separated list, says yes
    when it names `otlp` and no otherwise (`none`, or only exporters we do not ship). Left
    unset, an OTLP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT` or
    `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) says yes. Anything else: no.
    """
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporter = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter:
        return _OTLP in {name.strip() for name in exporter.split(",")}
    return any(
        environ.get(name, "").strip()
        for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


class Tracing:
    """One tracer provider and what it instruments; `shutdown` exports what is buffered."""

    def __init__(self, provider: TracerProvider) -> None:
        self.provider = provider
        self.tracer = provider.get_tracer("connect_backend")

    @classmethod
    def exporting_otlp(cls) -> Tracing:
        """Spans batched to the OTLP/HTTP exporter, which reads its `OTEL_EXPORTER_OTLP_*`
        variables (endpoint, headers, timeout) itself; the resource reads `OTEL_SERVICE_NAME`
        and `OTEL_RESOURCE_ATTRIBUTES`, the sampler `OTEL_TRACES_SAMPLER`."""
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        resource = Resource.create()
        # The specification's default name when OTEL_SERVICE_NAME and the attributes give none.
        if str(resource.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
            resource = resource.merge(Resource({SERVICE_NAME: SERVICE}))
        provider = TracerProvider(resource=resource)
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        return cls(provider)

    def http_middleware(self) -> DefineMiddleware:
        """A server span around each request (named by method alone until routed)."""
        config = OpenTelemetryConfig(
            tracer_provider=self.provider,
            scope_span_details_extractor=_span_details,
            exclude_spans=["receive", "send"],
        )
        return config.middleware

    def instrument_engine(self, sync_engine: Engine) -> None:
        """A client span per statement, through SQLAlchemy's engine events (any driver).

        `sync_engine` is the engine under the async one (`AsyncEngine.sync_engine`, or the
        SQLite store's `LoopDatabase.sync_engine`), where the statement events fire.
        """
        usage = NoOpMeter("connect_backend").create_up_down_counter("db.client.connections.usage")
        EngineTracer(self.tracer, sync_engine, usage)  # type: ignore[no-untyped-call]

    @staticmethod
    def current_trace_id() -> str | None:
        """The trace id of the span in progress, as 32 hex digits; None outside a trace."""
        context = trace.get_current_span().get_span_context()
        return format(context.trace_id, "032x") if context.is_valid else None

    @staticmethod
    def name_current_span(method: str, route: str) -> None:
        """Name the request's span `METHOD /route/{template}`: routing happens inside the span."""
        span = trace.get_current_span()
        span.update_name(f"{method} {route}")
        span.set_attribute(HTTP_ROUTE, route)

    def shutdown(self) -> None:
        """Export what is buffered and stop."""
        self.provider.shutdown()


def _span_details(scope: Scope) -> tuple[str, dict[str, Any]]:
    # Not the path, which holds ids (a span name must stay low-cardinality); the route template
    # is not known yet: `name_current_span` names it once routed.
    return str(scope.get("method", "HTTP")), {}
