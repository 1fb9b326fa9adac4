"""The access log off the request path: queued lines are the lines written directly, and
none is lost at shutdown."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog

from adapters.observability.logs import QueuedLogging, configure_logging
from adapters.observability.redaction import MASK
from entrypoints.asgi import writing_queued_logs_at_shutdown
from tests.http.conftest import dev_settings, running_app

REQUESTS = 200
VOLATILE = {"timestamp", "request_id", "duration_ms"}


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    structlog.reset_defaults()


def access_lines(text: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [line for line in lines if line["logger"] == "connect_backend.access"]


class GatedStream(io.StringIO):
    """Holds every write until opened: the listener falls behind, as under load."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()

    def write(self, text: str) -> int:
        self.gate.wait()
        return super().write(text)


def serve_requests(tmp_path: Path, *, queued: bool) -> str:
    stream = GatedStream()
    if not queued:
        stream.gate.set()
    logs = configure_logging(json=True, stream=stream, queued=queued)
    settings = dev_settings(tmp_path / ("queued" if queued else "direct"))
    with running_app(settings, wrap=lambda app: writing_queued_logs_at_shutdown(app, logs)) as api:
        for _ in range(REQUESTS):
            assert api.client.get("/.well-known/jwks.json").status_code == 200
        stream.gate.set()
    # The app has shut down: its listener has written everything and stopped.
    assert not (isinstance(logs, QueuedLogging) and logs.writing)
    return stream.getvalue()


@pytest.mark.usefixtures("restored_logging")
def test_n_requests_then_shutdown_write_n_access_lines(tmp_path: Path) -> None:
    lines = access_lines(serve_requests(tmp_path, queued=True))
    assert len(lines) == REQUESTS
    assert len({line["request_id"] for line in lines}) == REQUESTS
    assert all(line["client_ip"] == "testclient" for line in lines)


@pytest.mark.usefixtures("restored_logging")
def test_a_queued_line_has_the_fields_and_values_of_a_direct_one(tmp_path: Path) -> None:
    direct = access_lines(serve_requests(tmp_path, queued=False))[0]
    queued = access_lines(serve_requests(tmp_path, queued=True))[0]
    assert set(queued) == set(direct)
    assert {k: v for k, v in queued.items() if k not in VOLATILE} == {
        k: v for k, v in direct.items() if k not in VOLATILE
    }


@pytest.mark.usefixtures("restored_logging")
def test_a_queued_line_keeps_the_context_of_its_caller_and_is_redacted() -> None:
    stream = io.StringIO()
    logs = configure_logging(json=True, stream=stream, queued=True)
    secret = "ctk1_" + "s3cr3t" * 6
    with structlog.contextvars.bound_contextvars(request_id="r-1", client_ip="192.0.2.1"):
        logging.getLogger("connect_backend.test").info("token %s", secret, extra={"n": 1})
    # Another context by the time the listener renders it: the line keeps the caller's.
    with structlog.contextvars.bound_contextvars(request_id="r-2"):
        logs.close()
    (line,) = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert (line["request_id"], line["client_ip"], line["n"]) == ("r-1", "192.0.2.1", 1)
    assert secret not in line["event"]
    assert MASK in line["event"]


@pytest.mark.usefixtures("restored_logging")
def test_a_line_logged_after_close_is_written_at_once() -> None:
    stream = io.StringIO()
    logs = configure_logging(json=True, stream=stream, queued=True)
    logs.close()
    with structlog.contextvars.bound_contextvars(request_id="r-3"):
        logging.getLogger("connect_backend.test").warning("late %s", "line")
    (line,) = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert (line["event"], line["request_id"]) == ("late line", "r-3")


class LoggingWriter(logging.Handler):
    """A writer that logs once while it writes (a warning from a library it calls, say), and
    only once `close` has asked the listener to stop."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.stop_asked = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())
        if record.getMessage() == "first":
            assert self.stop_asked.wait(timeout=30)
            logging.getLogger("connect_backend.test").warning("from the writer")


@pytest.mark.usefixtures("restored_logging")
def test_closing_while_the_writer_itself_logs_writes_both_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    writer = LoggingWriter()
    logs = QueuedLogging(writer)
    listener = logs._listener
    ask_to_stop = listener.enqueue_sentinel

    def asked() -> None:
        ask_to_stop()
        writer.stop_asked.set()

    monkeypatch.setattr(listener, "enqueue_sentinel", asked)
    root = logging.getLogger()
    root.addHandler(logs)
    root.setLevel(logging.INFO)
    logging.getLogger("connect_backend.test").warning("first")
    closing = threading.Thread(target=logs.close, daemon=True)
    closing.start()
    closing.join(timeout=30)  # a hang detector, not a timing: it deadlocked before the fix
    assert not closing.is_alive(), "close() waits on itself"
    assert writer.lines == ["first", "from the writer"]
