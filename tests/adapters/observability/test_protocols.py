"""The one observability seam: every ring may import it, so it imports only the standard
library, and the Prometheus metrics and the tracing implement what it promises."""

import ast
import sys
from pathlib import Path

from adapters.observability import protocols
from adapters.observability.metrics import PrometheusMetrics
from adapters.observability.protocols import (
    CorbadoCallMetrics,
    Metrics,
    RateLimitMetrics,
    RequestTracing,
)
from adapters.observability.traces import Tracing


def test_the_protocols_import_only_the_standard_library() -> None:
    tree = ast.parse(Path(protocols.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    } | {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert imported
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}


def test_the_prometheus_metrics_are_every_view_of_the_metrics() -> None:
    metrics = PrometheusMetrics()
    assert isinstance(metrics, Metrics)
    # Checked by mypy: the views the rate limiter and the metered Corbado adapter are given.
    views: tuple[Metrics, RateLimitMetrics, CorbadoCallMetrics] = (metrics, metrics, metrics)
    assert all(view is metrics for view in views)


def test_tracing_is_the_request_hook_the_web_layer_calls() -> None:
    hook: type[RequestTracing] = Tracing
    assert callable(hook.current_trace_id)
    assert callable(hook.name_current_span)
