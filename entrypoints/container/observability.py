"""The observability adapters, as the entrypoints get them: logging set up before anything
else runs, and the metrics the container hands the web layer."""

from __future__ import annotations

from adapters.observability.log_pipeline import configure_logging
from adapters.observability.metrics_directory import shared_metrics_directory
from adapters.observability.prometheus_metrics import PrometheusMetrics

__all__ = ["PrometheusMetrics", "configure_logging", "shared_metrics_directory"]
