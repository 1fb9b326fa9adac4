"""The observability adapters, as the entrypoints get them: logging set up before anything
else runs, and the metrics the container hands the web layer."""

from __future__ import annotations

import os
from collections.abc import Iterator, MutableMapping
from contextlib import ExitStack

from opentelemetry.trace import Tracer

from adapters.observability.log_pipeline import configure_logging
from adapters.observability.metrics_directory import (
    ForeignFilesInMetricsDirectory,
    shared_metrics_directory,
)
from adapters.observability.prometheus_metrics import MULTIPROCESS_DIR_VARIABLE, PrometheusMetrics
from adapters.observability.tracing import Tracing, tracing_wanted
from entrypoints.configuration import ConfigError

__all__ = [
    "PrometheusMetrics",
    "Tracing",
    "configure_logging",
    "corbado_tracer",
    "enter_metrics_directory",
    "otlp_tracing",
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


def enter_metrics_directory(
    stack: ExitStack, environ: MutableMapping[str, str], *, workers: int
) -> None:
    """The workers' shared metrics directory, for as long as `stack` lasts; one that cannot
    hold the metrics is a `ConfigError` naming the variable to fix."""
    try:
        stack.enter_context(shared_metrics_directory(environ, workers=workers))
    except (OSError, ForeignFilesInMetricsDirectory) as exc:
        given = environ.get(MULTIPROCESS_DIR_VARIABLE, "").strip()  # else made under TMPDIR
        reason = getattr(exc, "strerror", None) or str(exc)
        variable = MULTIPROCESS_DIR_VARIABLE if given else "TMPDIR"
        raise ConfigError(variable, f"cannot hold the metrics ({reason})") from exc
