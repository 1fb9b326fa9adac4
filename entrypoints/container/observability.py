"""The observability adapters, as the entrypoints get them: logging set up before anything
else runs, and the metrics the container hands the web layer."""

from __future__ import annotations

import os
from collections.abc import Iterator

from opentelemetry.trace import Tracer

from adapters.observability.log_pipeline import configure_logging
from adapters.observability.metrics_directory import shared_metrics_directory
from adapters.observability.prometheus_metrics import PrometheusMetrics
from adapters.observability.tracing import Tracing, tracing_wanted

__all__ = [
    "PrometheusMetrics",
    "Tracing",
    "configure_logging",
    "corbado_tracer",
    "otlp_tracing",
    "shared_metrics_directory",
]


def otlp_tracing() -> Iterator[Tracing | None]:
    """Traces exported over OTLP when the `OTEL_*` variables ask for them, flushed at
    teardown; None, and nothing installed, when they do not."""
    if not tracing_wanted(os.environ):
        yield None
        return
    built = Tracing.exporting_otlp()
    try:
        yield built
    finally:
        built.shutdown()


def corbado_tracer(tracing: Tracing | None) -> Tracer | None:
    return tracing.tracer if tracing is not None else None
