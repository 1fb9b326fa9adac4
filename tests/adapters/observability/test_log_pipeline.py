"""The JSON log line: one object per line, whatever a value holds."""

import io
import json
import logging
from collections.abc import Iterator

import pytest

from adapters.observability.logs import configure_logging


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = configure_logging(json=True, stream=stream)
    yield stream
    logging.getLogger().removeHandler(handler)


def last_line(stream: io.StringIO) -> dict[str, object]:
    line: dict[str, object] = json.loads(stream.getvalue().splitlines()[-1])
    return line


def test_a_line_carries_the_event_its_level_logger_and_extra_fields(lines: io.StringIO) -> None:
    logging.getLogger("connect_backend.test").info("GET %s %d", "/auth/me", 200, extra={"a": 1})
    line = last_line(lines)
    assert line["event"] == "GET /auth/me 200"
    assert (line["level"], line["logger"], line["a"]) == ("info", "connect_backend.test", 1)
    assert isinstance(line["timestamp"], str)


def test_text_utf8_cannot_hold_and_objects_json_cannot_still_make_a_line(
    lines: io.StringIO,
) -> None:
    logging.getLogger("connect_backend.test").warning(
        "odd input", extra={"agent": "x\ud800y", "error": ValueError("boom"), "display": "Zoë"}
    )
    line = last_line(lines)
    assert line["agent"] == "x\ud800y"
    assert line["error"] == "ValueError('boom')"
    assert line["display"] == "Zoë"
