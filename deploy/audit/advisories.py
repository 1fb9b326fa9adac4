"""The offline advisory copy, and an OSV query endpoint over it on the loopback interface.

The copy is the PyPA advisory database in OSV format, one YAML file per advisory under
`pypa/vulns/<project>/`, with a README naming its source commit and that commit's date. The
endpoint answers `POST /v1/query` as api.osv.dev does for the PyPI ecosystem, which is all
pip-audit's OSV service sends: `{"package": {"name", "ecosystem"}, "version"}` gets
`{"vulns": [record, ...]}` or `{}`. As OSV does, it leaves withdrawn records out, and matches a
version by the record's explicit list or its ECOSYSTEM ranges (so a release newer than the copy
still matches a range left open). Only the queried packages' files are read.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

# The README's line naming the copy's origin; its date is the date the audit reports.
SOURCE_LINE = re.compile(
    r"Source commit: `(?P<commit>[0-9a-f]{40})`, committed (?P<date>\d{4}-\d{2}-\d{2})"
)
QUERY_PATH = "/v1/query"
MAX_QUERY_BYTES = 64 * 1024
# google.rpc.Code values, as OSV's API reports errors.
INVALID_ARGUMENT = 3
NOT_FOUND = 5
UNIMPLEMENTED = 12
INTERNAL = 13

Record = dict[str, Any]
_ZERO = Version("0")


class AdvisoryCopyError(Exception):
    """The advisory copy is missing or does not say which commit and date it is."""


class _Loader(yaml.SafeLoader):
    """YAML with timestamps and floats left as text: records go out as JSON as written."""


# An unquoted `modified: 2023-11-07T20:24:23Z` would become a datetime, and a version `2.10` the
# float 2.1; OSV's JSON has both as strings.
_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, pattern)
        for tag, pattern in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:float")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a copy comes from: the advisory database's commit and the day it was made."""

    commit: str
    dated: date


@dataclass
class AdvisoryCopy:
    """A dated copy of the PyPA advisory database: `README.md` beside `pypa/vulns/`."""

    root: Path
    origin: Origin = field(init=False)
    _directories: dict[str, Path] = field(init=False, repr=False)
    _records: dict[str, list[Record]] = field(init=False, repr=False, default_factory=dict)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        vulns = self.root / "pypa" / "vulns"
        readme = self.root / "README.md"
        if not vulns.is_dir() or not readme.is_file():
            raise AdvisoryCopyError(f"{self.root}: no advisory copy (README.md and pypa/vulns/)")
        found = SOURCE_LINE.search(readme.read_text(encoding="utf-8"))
        if found is None:
            raise AdvisoryCopyError(
                f"{readme}: names no 'Source commit: `<40 hex>`, committed YYYY-MM-DD', so the "
                "copy's date is unknown"
            )
        self.origin = Origin(found["commit"], date.fromisoformat(found["date"]))
        self._directories = {
            canonicalize_name(path.name): path for path in vulns.iterdir() if path.is_dir()
        }

    def records(self, name: str) -> list[Record]:
        """Every record of the PyPI project `name` (any spelling), withdrawn ones included."""
        project = canonicalize_name(name)
        with self._lock:
            if project not in self._records:
                directory = self._directories.get(project)
                files = sorted(directory.glob("*.yaml")) if directory is not None else []
                self._records[project] = [self._load(path) for path in files]
            return self._records[project]

    @staticmethod
    def _load(path: Path) -> Record:
        try:
            record = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - a safe loader
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            raise AdvisoryCopyError(f"{path}: {error}") from error
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            raise AdvisoryCopyError(f"{path}: not an OSV record")
        return record

    def query(self, name: str, version: str | None) -> list[Record]:
        """What OSV answers for `name` at `version` (every version when None): live records."""
        project = canonicalize_name(name)
        return [
            record
            for record in self.records(project)
            if "withdrawn" not in record and (version is None or affects(record, project, version))
        ]


def affects(record: Mapping[str, Any], project: str, version: str) -> bool:
    """Whether the OSV `record` names `version` of the PyPI `project` (canonical name)."""
    for affected in record.get("affected", ()):
        package = affected.get("package", {})
        if package.get("ecosystem") != "PyPI" or canonicalize_name(package["name"]) != project:
            continue
        if any(_same_version(version, str(listed)) for listed in affected.get("versions", ())):
            return True
        if any(
            in_range(version, ranges.get("events", ()))
            for ranges in affected.get("ranges", ())
            if ranges.get("type") == "ECOSYSTEM"
        ):
            return True
    return False


def _same_version(left: str, right: str) -> bool:
    try:
        return Version(left) == Version(right)
    except InvalidVersion:
        return left == right


def in_range(version: str, events: Sequence[Mapping[str, str]]) -> bool:
    """Whether `version` lies in an OSV ECOSYSTEM range given by its `events`.

    The OSV schema's evaluation: events in version order, `introduced` opens (`"0"` before every
    version), `fixed` and `limit` close at their version, `last_affected` just after it. A range
    with a version PEP 440 cannot order matches nothing; the explicit list still does.
    """
    try:
        current = Version(version)
        ordered = sorted(
            (
                (kind, None if (kind, text) == ("introduced", "0") else Version(text))
                for event in events
                for kind, text in event.items()
            ),
            key=lambda kind_at: (0, _ZERO) if kind_at[1] is None else (1, kind_at[1]),
        )
    except InvalidVersion:
        return False
    affected = False
    for kind, at in ordered:
        if kind == "introduced" and (at is None or current >= at):
            affected = True
        elif at is not None and (
            (kind in ("fixed", "limit") and current >= at)
            or (kind == "last_affected" and current > at)
        ):
            affected = False
    return affected


class _OsvServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, copy: AdvisoryCopy) -> None:
        super().__init__(("127.0.0.1", 0), _OsvHandler)
        self.copy = copy


class _OsvHandler(BaseHTTPRequestHandler):
    server: _OsvServer

    def do_POST(self) -> None:
        if self.path != QUERY_PATH:
            self._error(HTTPStatus.NOT_FOUND, NOT_FOUND, f"no such endpoint: {self.path}")
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._error(HTTPStatus.LENGTH_REQUIRED, INVALID_ARGUMENT, "a body with Content-Length")
            return
        if not 0 <= length <= MAX_QUERY_BYTES:
            self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, INVALID_ARGUMENT, "query too large")
            return
        try:
            query = json.loads(self.rfile.read(length))
            name, version = _package_query(query)
        except (ValueError, _Unsupported) as error:
            unsupported = isinstance(error, _Unsupported)
            self._error(
                HTTPStatus.NOT_IMPLEMENTED if unsupported else HTTPStatus.BAD_REQUEST,
                UNIMPLEMENTED if unsupported else INVALID_ARGUMENT,
                str(error) or "the body is not JSON",
            )
            return
        try:
            vulns = self.server.copy.query(name, version)
        except AdvisoryCopyError as error:
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, INTERNAL, str(error))
            return
        self._send(HTTPStatus.OK, {"vulns": vulns} if vulns else {})

    def do_GET(self) -> None:
        self._error(HTTPStatus.METHOD_NOT_ALLOWED, UNIMPLEMENTED, "only POST /v1/query")

    def _error(self, status: HTTPStatus, code: int, message: str) -> None:
        self._send(status, {"code": code, "message": message})

    def _send(self, status: HTTPStatus, body: object) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the audit prints what it found, not every query."""


class _Unsupported(Exception):
    """A well-formed query this endpoint does not answer: commits, purls, other ecosystems."""


def _package_query(query: object) -> tuple[str, str | None]:
    if not isinstance(query, dict):
        raise ValueError("the query is not a JSON object")
    if "commit" in query:
        raise _Unsupported("commit queries: only PyPI package versions are held here")
    package = query.get("package")
    if not isinstance(package, dict):
        raise ValueError("'package' must be an object")
    if "purl" in package:
        raise _Unsupported("purl queries: send the package's name and ecosystem")
    name, ecosystem, version = package.get("name"), package.get("ecosystem"), query.get("version")
    if not isinstance(name, str) or not name:
        raise ValueError("'package.name' must be a non-empty string")
    if ecosystem != "PyPI":
        raise _Unsupported(f"ecosystem {ecosystem!r}: only PyPI advisories are held here")
    if version is not None and (not isinstance(version, str) or not version):
        raise ValueError("'version' must be a non-empty string when given")
    return name, version


@contextmanager
def local_osv(copy: AdvisoryCopy) -> Iterator[str]:
    """An OSV query endpoint over `copy` on a free loopback port: its URL, until the block ends."""
    server = _OsvServer(copy)
    thread = threading.Thread(target=server.serve_forever, name="local-osv", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}{QUERY_PATH}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
