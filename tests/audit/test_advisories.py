"""The loopback OSV endpoint over an advisory copy: what it answers, as api.osv.dev would."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from packaging.version import Version

from deploy.audit.advisories import AdvisoryCopy, AdvisoryCopyError, in_range, local_osv
from tests.audit.copies import COMMIT, record, shared_copy, write_copy

OPEN = record("PYSEC-1", "Foo.Bar", ["1.0", "1.1"], [{"introduced": "0"}], aliases=["CVE-1"])
FIXED = record("PYSEC-2", "foo-bar", ["1.0"], [{"introduced": "0"}, {"fixed": "1.1"}])
WITHDRAWN = record(
    "PYSEC-3", "foo-bar", ["1.0"], [{"introduced": "0"}], withdrawn="2023-06-06T10:37:00Z"
)


@pytest.fixture
def copy(tmp_path: Path) -> AdvisoryCopy:
    return AdvisoryCopy(
        write_copy(tmp_path / "copy", {"Foo.Bar": [OPEN, FIXED, WITHDRAWN]}, "2024-10-10")
    )


@pytest.fixture
def endpoint(copy: AdvisoryCopy) -> Iterator[str]:
    with local_osv(copy) as url:
        yield url


def query(url: str, name: str, version: str | None = None) -> Any:
    body: dict[str, Any] = {"package": {"name": name, "ecosystem": "PyPI"}}
    if version is not None:
        body["version"] = version
    response = httpx.post(url, json=body)
    assert response.status_code == 200
    return response.json()


def ids(answer: Any) -> list[str]:
    return sorted(vuln["id"] for vuln in answer.get("vulns", []))


def test_the_copy_says_which_commit_and_day_it_is(copy: AdvisoryCopy) -> None:
    assert copy.origin.commit == COMMIT
    assert copy.origin.dated == date(2024, 10, 10)


def test_a_listed_version_gets_its_live_records_whole(endpoint: str) -> None:
    answer = query(endpoint, "foo-bar", "1.0")
    assert ids(answer) == ["PYSEC-1", "PYSEC-2"]
    assert answer["vulns"][0] == OPEN


def test_any_spelling_of_the_name_finds_the_project(endpoint: str) -> None:
    assert ids(query(endpoint, "FOO_bar", "1.0")) == ["PYSEC-1", "PYSEC-2"]


def test_a_release_newer_than_the_copy_matches_a_range_left_open(endpoint: str) -> None:
    assert ids(query(endpoint, "foo-bar", "9.0")) == ["PYSEC-1"]


def test_the_fixed_version_and_an_unknown_project_get_an_empty_answer(endpoint: str) -> None:
    assert ids(query(endpoint, "foo-bar", "1.1")) == ["PYSEC-1"]
    assert query(endpoint, "no-such-project", "1.0") == {}


def test_withdrawn_records_are_left_out_even_without_a_version(endpoint: str) -> None:
    assert ids(query(endpoint, "foo-bar")) == ["PYSEC-1", "PYSEC-2"]


def test_timestamps_and_versions_go_out_as_the_file_writes_them(tmp_path: Path) -> None:
    root = write_copy(tmp_path, {}, "2024-10-10")
    (root / "pypa" / "vulns" / "baz").mkdir()
    (root / "pypa" / "vulns" / "baz" / "PYSEC-9.yaml").write_text(
        "id: PYSEC-9\nmodified: 2023-11-07T20:24:23.946863Z\naffected:\n- package:\n"
        "    name: baz\n    ecosystem: PyPI\n  versions:\n  - 2.10\n"
    )
    with local_osv(AdvisoryCopy(root)) as url:
        answer = query(url, "baz", "2.10")
    assert answer["vulns"][0]["modified"] == "2023-11-07T20:24:23.946863Z"
    assert answer["vulns"][0]["affected"][0]["versions"] == ["2.10"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, 3),
        (b"[]", 400, 3),
        (b'{"version": "1.0"}', 400, 3),
        (b'{"package": {"name": "", "ecosystem": "PyPI"}}', 400, 3),
        (b'{"package": {"name": "foo", "ecosystem": "PyPI"}, "version": 1}', 400, 3),
        (b'{"package": {"name": "foo", "ecosystem": "npm"}, "version": "1"}', 501, 12),
        (b'{"package": {"purl": "pkg:pypi/foo@1"}}', 501, 12),
        (b'{"commit": "6879efc2c1596d11a6a6ad296f80063b558d5e0f"}', 501, 12),
    ],
)
def test_a_query_it_cannot_answer_gets_a_json_error(
    endpoint: str, body: bytes, status: int, code: int
) -> None:
    response = httpx.post(endpoint, content=body)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["message"]


def test_other_paths_methods_and_sizes_get_json_errors(endpoint: str) -> None:
    assert httpx.post(endpoint.replace("query", "querybatch"), json={}).status_code == 404
    assert httpx.get(endpoint).status_code == 405
    parts = urlsplit(endpoint)
    connection = http.client.HTTPConnection(parts.netloc, timeout=10)
    connection.putrequest("POST", parts.path)
    connection.putheader("Content-Length", str(10**9))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413
    assert json.loads(response.read())["code"] == 3
    connection.close()


def test_a_record_that_does_not_parse_is_an_error_naming_its_file(tmp_path: Path) -> None:
    root = write_copy(tmp_path, {"baz": [FIXED]}, "2024-10-10")
    (root / "pypa" / "vulns" / "baz" / "PYSEC-2.yaml").write_text("id: [unclosed\n")
    with local_osv(AdvisoryCopy(root)) as url:
        response = httpx.post(url, json={"package": {"name": "baz", "ecosystem": "PyPI"}})
    assert response.status_code == 500
    assert response.json()["code"] == 13
    assert "PYSEC-2.yaml" in response.json()["message"]


def test_the_endpoint_is_gone_when_the_block_ends(copy: AdvisoryCopy) -> None:
    with local_osv(copy) as url:
        address = urlsplit(url)
    assert address.hostname == "127.0.0.1"
    assert address.port is not None
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((address.hostname, address.port), timeout=10).close()


def test_it_stops_when_the_block_fails(copy: AdvisoryCopy) -> None:
    ports: list[int | None] = []

    def fail_inside() -> None:
        with local_osv(copy) as url:
            ports.append(urlsplit(url).port)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fail_inside()
    [port] = ports
    assert port is not None
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=10).close()


def test_a_copy_without_its_date_or_its_records_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AdvisoryCopyError, match="no advisory copy"):
        AdvisoryCopy(tmp_path)
    root = write_copy(tmp_path / "undated", {}, "2024-10-10")
    (root / "README.md").write_text("# A copy of unknown date\n")
    with pytest.raises(AdvisoryCopyError, match="date is unknown"):
        AdvisoryCopy(root)


def test_the_shared_copy_names_jinja2_2_10() -> None:
    with local_osv(AdvisoryCopy(shared_copy())) as url:
        answer = query(url, "Jinja2", "2.10")
    assert {"PYSEC-2019-217", "PYSEC-2021-66"} <= set(ids(answer))


versions = st.lists(st.integers(0, 20), min_size=1, max_size=3).map(
    lambda parts: ".".join(map(str, parts))
)


@given(versions, versions, versions)
def test_a_version_is_in_a_range_from_introduced_up_to_fixed(
    version: str, introduced: str, fixed: str
) -> None:
    assume(Version(introduced) < Version(fixed))
    events = [{"fixed": fixed}, {"introduced": introduced}]
    inside = Version(introduced) <= Version(version) < Version(fixed)
    assert in_range(version, events) is inside


@given(versions, versions)
def test_last_affected_is_the_last_version_in_the_range(version: str, last: str) -> None:
    events = [{"introduced": "0"}, {"last_affected": last}]
    assert in_range(version, events) is (Version(version) <= Version(last))


@given(versions, versions, versions)
def test_a_range_opened_again_after_a_fix_holds_everything_after_it(
    version: str, fixed: str, again: str
) -> None:
    assume(Version(fixed) < Version(again))
    events = [{"introduced": again}, {"introduced": "0"}, {"fixed": fixed}]
    current = Version(version)
    assert in_range(version, events) is (current < Version(fixed) or current >= Version(again))


def test_versions_pep_440_cannot_order_match_no_range() -> None:
    assert in_range("not a version", [{"introduced": "0"}]) is False
    assert in_range("1.0", [{"introduced": "0"}, {"fixed": "not a version"}]) is False
    assert in_range("1.0", [{"limit": "1.0"}, {"introduced": "0"}]) is False
    assert in_range("0.dev0", [{"introduced": "0"}]) is True
