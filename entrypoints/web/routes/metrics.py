"""Prometheus metrics: open like the health probes, outside the OpenAPI document."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.di import NamedDependency

from adapters.observability.protocols import Metrics


@get("/metrics", include_in_schema=False, sync_to_thread=False)
def metrics(request: Request[Any, Any, Any], metrics: NamedDependency[Metrics]) -> Response[bytes]:
    """The text exposition format (or OpenMetrics, when the scraper asks for it)."""
    body, content_type = metrics.render(request.headers.get("accept", ""))
    return Response(body, media_type=content_type, headers={"Cache-Control": "no-store"})
