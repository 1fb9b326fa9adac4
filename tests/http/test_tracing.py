"""Traces: a span per HTTP request, per Corbado call and per database statement, in one trace,
whose id is on the request's log lines; and nothing at all when the OTEL_* variables are unset."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from litestar.types import Receive, Scope, Send
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from adapters.observability.logs import configure_logging
from adapters.observability.traces import Tracing
from entrypoints.container import Container
from entrypoints.web.app import request_observability
from entrypoints.web.observability import RequestObservability
from tests.fakes.fake_corbado import FAKE_PROJECT_ID
from tests.http.conftest import Api, dev_settings, running_app


@pytest.fixture
def exported() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def traced_api(tmp_path: Path, exported: InMemorySpanExporter) -> Iterator[Api]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exported))
    settings = dev_settings(tmp_path, corbado_project_id=FAKE_PROJECT_ID)
    with running_app(settings, fake_corbado=True, tracing=Tracing(provider)) as api:
        yield api


def trace_of(spans: tuple[ReadableSpan, ...], name: str) -> list[ReadableSpan]:
    (root,) = [span for span in spans if span.name == name]
    assert root.context is not None
    return [
        span for span in spans if span.context and span.context.trace_id == root.context.trace_id
    ]


def test_a_request_is_a_server_span_with_its_statements_inside(
    traced_api: Api, exported: InMemorySpanExporter
) -> None:
    traced_api.register()
    exported.clear()
    traced_api.login()
    trace = trace_of(exported.get_finished_spans(), "POST /auth/login")
    (server,) = [span for span in trace if span.kind is SpanKind.SERVER]
    assert server.attributes is not None
    assert server.attributes["http.route"] == "/auth/login"
    statements = [span for span in trace if span.kind is SpanKind.CLIENT]
    assert statements, "no database statement was traced"
    assert all(span.attributes and "db.statement" in span.attributes for span in statements)
    texts = [str((span.attributes or {}).get("db.statement")) for span in statements]
    assert any(text.startswith("INSERT INTO sessions") for text in texts), texts


def test_a_corbado_call_is_a_client_span_of_its_request(
    traced_api: Api, exported: InMemorySpanExporter
) -> None:
    traced_api.register()
    access = traced_api.login()["accessToken"]
    exported.clear()
    response = traced_api.client.post(
        "/auth/createConnectToken",
        json={"connectTokenType": "passkey-list"},
        headers=traced_api.bearer(access),
    )
    assert response.status_code == 200
    trace = trace_of(exported.get_finished_spans(), "POST /auth/createConnectToken")
    (call,) = [span for span in trace if span.name == "corbado create_connect_token"]
    assert call.kind is SpanKind.CLIENT
    assert call.attributes is not None
    assert dict(call.attributes) == {
        "corbado.operation": "create_connect_token",
        "corbado.outcome": "ok",
    }


@pytest.mark.parametrize("queued", [False, True])
def test_the_trace_id_is_on_the_requests_log_lines(
    tmp_path: Path, exported: InMemorySpanExporter, queued: bool
) -> None:
    stream = io.StringIO()
    handler = configure_logging(json=True, stream=stream, queued=queued)
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exported))
    try:
        with running_app(dev_settings(tmp_path), tracing=Tracing(provider)) as api:
            assert api.client.get("/.well-known/jwks.json").status_code == 200
        handler.close()
    finally:
        logging.getLogger().removeHandler(handler)
        structlog.reset_defaults()
    (span,) = [s for s in exported.get_finished_spans() if s.name == "GET /.well-known/jwks.json"]
    assert span.context is not None
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    (access,) = [line for line in lines if line["logger"] == "connect_backend.access"]
    assert access["trace_id"] == format(span.context.trace_id, "032x")


def test_without_otel_variables_nothing_is_traced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SDK_DISABLED"):
        monkeypatch.delenv(name, raising=False)
    container = Container(settings=dev_settings(tmp_path))
    assert container.tracing() is None
    assert isinstance(request_observability(container)(_app), RequestObservability)
    container.tracing.shutdown()


def test_an_otlp_endpoint_turns_tracing_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_TRACES_EXPORTER", raising=False)
    monkeypatch.delenv("OTEL_SDK_DISABLED", raising=False)
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    monkeypatch.setenv("OTEL_SERVICE_NAME", "auth-eu")
    container = Container(settings=dev_settings(tmp_path))
    tracing = container.tracing()
    assert isinstance(tracing, Tracing)
    assert tracing.provider.resource.attributes["service.name"] == "auth-eu"
    outermost = request_observability(container)(_app)
    assert not isinstance(outermost, RequestObservability)
    container.tracing.shutdown()


async def _app(scope: Scope, receive: Receive, send: Send) -> None:
    raise AssertionError("never called")
