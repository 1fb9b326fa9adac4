"""What counts as JSON, and when a request has a body, for the 415 check."""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from litestar import Request
from litestar.types import Message

from entrypoints.web.policies import carries_body, is_json

parameters = st.text(alphabet=st.characters(codec="latin-1", exclude_characters=";"))


@given(case=st.sampled_from(["application/json", "APPLICATION/JSON", "Application/Json"]))
def test_json_in_any_case_is_json(case: str) -> None:
    assert is_json(case)
    assert is_json(f" {case} ")


@given(parameter=parameters)
def test_json_with_any_parameters_is_json(parameter: str) -> None:
    assert is_json(f"application/json;{parameter}")
    assert is_json(f"application/json ; charset=utf-8;{parameter}")


@given(media_type=st.text(alphabet=st.characters(codec="latin-1", exclude_characters=";")))
def test_any_other_media_type_is_not_json(media_type: str) -> None:
    if media_type.strip().lower() == "application/json":
        return
    assert not is_json(media_type)
    assert not is_json(f"{media_type};application/json")


def test_no_content_type_is_not_json() -> None:
    assert not is_json(None)


class Handler:
    """What reading a body asks of the route handler: its size limit."""

    def resolve_request_max_body_size(self) -> int:
        return 16 * 1024


def request(http_version: str, *chunks: bytes) -> Request[Any, Any, Any]:
    messages = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks or (b"",))
    ]

    async def receive() -> Message:
        return messages.pop(0)  # type: ignore[return-value]

    scope = {
        "type": "http",
        "http_version": http_version,
        "headers": [],
        "state": {},
        "route_handler": Handler(),
    }
    return Request(scope, receive)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("length", "expected"), [(b"0", False), (b" 0 ", False), (b"1", True), (b"x", True)]
)
async def test_a_content_length_tells_without_reading(length: bytes, expected: bool) -> None:
    never_read = request("2")
    assert await carries_body(never_read, length, chunked=False) is expected
    assert never_read.is_connected, "the body was not read"


@pytest.mark.parametrize("http_version", ["1.0", "1.1"])
async def test_http_1_without_length_or_chunks_has_no_body(http_version: str) -> None:
    unread = request(http_version, b"ignored")
    assert await carries_body(unread, None, chunked=False) is False
    assert unread.is_connected


@pytest.mark.parametrize(
    ("http_version", "chunked", "chunks", "expected"),
    [
        ("1.1", True, (b"", b"x"), True),
        ("1.1", True, (b"",), False),
        ("2", False, (b"{}",), True),
        ("2", False, (b"",), False),
    ],
)
async def test_otherwise_the_body_is_read(
    http_version: str, chunked: bool, chunks: tuple[bytes, ...], expected: bool
) -> None:
    read = request(http_version, *chunks)
    assert await carries_body(read, None, chunked=chunked) is expected
    assert await read.body() == b"".join(chunks), "the body stays readable"
