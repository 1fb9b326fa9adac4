"""MeteredCorbado: every call reported once, by operation and outcome, its answer unchanged."""

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from adapters.corbado.metered import MeteredCorbado
from adapters.observability.metrics import PrometheusMetrics as Metrics
from adapters.observability.protocols import CorbadoCallMetrics
from domain.errors import (
    CorbadoError,
    CorbadoRejected,
    CorbadoTimeout,
    CorbadoUnavailable,
)
from domain.model import ConnectTokenType, VerificationResult
from tests.fakes.fake_corbado import FakeCorbadoConnect


class RecordedCalls:
    """A `CorbadoCallMetrics` that keeps what it was told (durations are not asserted)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def observe_corbado_call(self, operation: str, outcome: str, seconds: float) -> None:
        assert seconds >= 0
        self.calls.append((operation, outcome))


async def test_each_operation_is_reported_by_name_with_its_answer_passed_through() -> None:
    fake, recorded = FakeCorbadoConnect(), RecordedCalls()
    metered = MeteredCorbado(fake, recorded)

    token = await metered.create_connect_token(ConnectTokenType.PASSKEY_APPEND, "jane", "Jane")
    assert await metered.user_ids_for("jane") == ["usr-fake-1"]
    await metered.delete_connect_token(token.id)
    await metered.delete_user("usr-fake-1")

    assert token.secret == "ctk1_fake_1"
    assert fake.deleted_tokens == [token.id]
    assert recorded.calls == [
        ("create_connect_token", "ok"),
        ("list_identifiers", "ok"),
        ("delete_connect_token", "ok"),
        ("delete_user", "ok"),
    ]


@pytest.mark.parametrize("verdict", list(VerificationResult))
async def test_a_verification_is_reported_by_its_verdict(verdict: VerificationResult) -> None:
    fake, recorded = FakeCorbadoConnect(), RecordedCalls()
    fake.answer_next_verification(verdict)

    assert await MeteredCorbado(fake, recorded).verify_signed_passkey_data("d", "jane") is verdict
    assert recorded.calls == [("verify_signed_passkey_data", verdict.value)]


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (CorbadoRejected("no"), "rejected"),
        (CorbadoUnavailable("down", retry_later=True), "unavailable"),
        (CorbadoTimeout("slow"), "timeout"),
        (CorbadoError("other"), "error"),
    ],
    ids=["rejected", "unavailable", "timeout", "other"],
)
async def test_a_failed_call_is_reported_by_its_error_and_still_raises(
    error: CorbadoError, outcome: str
) -> None:
    fake, recorded = FakeCorbadoConnect(), RecordedCalls()
    fake.fail_next_call(error)

    with pytest.raises(type(error)) as raised:
        await MeteredCorbado(fake, recorded).user_ids_for("jane")

    assert raised.value is error
    assert recorded.calls == [("list_identifiers", outcome)]


async def test_the_service_metrics_count_and_time_each_call() -> None:
    metrics = Metrics()
    reported: CorbadoCallMetrics = metrics
    fake = FakeCorbadoConnect()
    fake.fail_next_call(CorbadoTimeout("slow"))
    metered = MeteredCorbado(fake, reported)

    with pytest.raises(CorbadoTimeout):
        await metered.user_ids_for("jane")
    await metered.user_ids_for("jane")

    def sample(name: str, **labels: str) -> float | None:
        return metrics.registry.get_sample_value(f"connect_backend_{name}", labels)

    operation = "list_identifiers"
    assert sample("corbado_calls_total", operation=operation, outcome="timeout") == 1
    assert sample("corbado_calls_total", operation=operation, outcome="ok") == 1
    assert sample("corbado_call_duration_seconds_count", operation=operation) == 2


async def test_given_a_tracer_a_failed_call_is_an_error_span_with_its_outcome() -> None:
    exported = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exported))
    fake, recorded = FakeCorbadoConnect(), RecordedCalls()
    fake.fail_next_call(CorbadoRejected("no"))
    metered = MeteredCorbado(fake, recorded, provider.get_tracer("test"))

    with pytest.raises(CorbadoRejected):
        await metered.user_ids_for("jane")
    assert await metered.user_ids_for("jane") == []

    failed, answered = exported.get_finished_spans()
    assert (failed.name, failed.kind, failed.status.status_code) == (
        "corbado list_identifiers",
        SpanKind.CLIENT,
        StatusCode.ERROR,
    )
    assert dict(failed.attributes or {}) == {
        "corbado.operation": "list_identifiers",
        "corbado.outcome": "rejected",
    }
    assert answered.status.status_code is StatusCode.UNSET
    assert (answered.attributes or {})["corbado.outcome"] == "ok"
