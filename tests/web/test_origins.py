"""Origins compared as browsers serialise them, and which ones the browser transport allows."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entrypoints.configuration import Settings
from entrypoints.web.policies import browser_origins, origin_of, request_origin

LABEL = st.text(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=12
)
HOST = st.lists(LABEL, min_size=1, max_size=4).map(".".join)
SCHEME = st.sampled_from(["http", "https", "HTTP", "Https"])
PORT = st.one_of(st.none(), st.integers(1, 65535))
REST = st.sampled_from(["", "/", "/login", "/a/b?x=1#top", "?q=http://evil.example"])


@given(scheme=SCHEME, host=HOST, port=PORT, rest=REST)
def test_an_origin_is_its_scheme_host_and_non_default_port_in_lower_case(
    scheme: str, host: str, port: int | None, rest: str
) -> None:
    url = f"{scheme}://{host}{'' if port is None else f':{port}'}{rest}"
    default = 443 if scheme.lower() == "https" else 80
    expected = f"{scheme.lower()}://{host.lower()}"
    if port is not None and port != default:
        expected += f":{port}"
    assert origin_of(url) == expected
    assert origin_of(expected) == expected


@given(st.text(max_size=60))
def test_whatever_the_text_an_origin_is_stable_or_none(text: str) -> None:
    found = origin_of(text)
    if found is not None:
        assert found.startswith(("http://", "https://"))
        assert origin_of(found) == found


@pytest.mark.parametrize(
    "text",
    [
        "null",
        "",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "//evil.example",
        "http://",
        "http://h:99999",
    ],
)
def test_what_names_no_web_origin_is_none(text: str) -> None:
    assert origin_of(text) is None


def test_origin_wins_over_referer_and_null_names_no_origin() -> None:
    page = "https://app.example.com/login?next=/"
    assert request_origin(None, page) == "https://app.example.com"
    assert request_origin("https://evil.example", page) == "https://evil.example"
    assert request_origin("null", page) is None
    assert request_origin(None, None) is None


def test_dev_allows_its_own_origin_in_both_loopback_spellings(tmp_path: Path) -> None:
    settings = Settings.for_dev({"PORT": "9000"}, state_dir=tmp_path)
    assert browser_origins(settings) == {"http://127.0.0.1:9000", "http://localhost:9000"}


def test_a_deployment_allows_its_frontends_and_its_issuers_origin(tmp_path: Path) -> None:
    settings = dataclasses.replace(
        Settings.for_dev({}, state_dir=tmp_path),
        session_issuer="https://Auth.Example.com:443/base/",
        cors_allow_origins=("https://app.example.com", "https://admin.example.com:8443/"),
    )
    assert browser_origins(settings) == {
        "https://auth.example.com",
        "https://app.example.com",
        "https://admin.example.com:8443",
    }
