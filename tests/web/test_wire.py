"""The wire's decoding helpers refuse what they cannot decode as a client error."""

import pytest
from litestar.exceptions import ValidationException

from entrypoints.web.wire import TOO_DEEP, Wire, decode_optional_body


class Anything(Wire):
    value: object = None


def test_an_optional_body_nested_too_deeply_is_a_validation_error() -> None:
    raw = b'{"value": ' + b"[" * 5_000 + b"]" * 5_000 + b"}"
    with pytest.raises(ValidationException) as refused:
        decode_optional_body(raw, Anything)
    assert refused.value.extra == [{"key": "data", "message": TOO_DEEP}]


def test_an_optional_body_with_an_unknown_member_is_a_validation_error() -> None:
    with pytest.raises(ValidationException) as refused:
        decode_optional_body(b'{"value": 1, "other": 2}', Anything)
    assert refused.value.extra == [
        {"key": "data", "message": "Object contains unknown field `other`"}
    ]
