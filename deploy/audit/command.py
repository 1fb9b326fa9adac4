"""The audit command: the lock's pins, a database, pip-audit, and the verdict.

Exit status 0 when every finding is accepted (or there is none), 1 when one is not or its
acceptance has expired, 2 when the audit could not be made (no lock export, no database, a bad
accepted-findings file, pip-audit failing); the reason is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from deploy.audit.accepted import (
    AcceptedFileError,
    Finding,
    Judged,
    Verdict,
    judge,
    load_accepted,
)
from deploy.audit.advisories import AdvisoryCopy, AdvisoryCopyError, local_osv
from deploy.audit.lock import LockError, Pin, locked_pins, rounds

ROOT = Path(__file__).resolve().parents[2]
OSV_URL = "https://api.osv.dev/v1/query"
# A query OSV answers with advisories (PYSEC-2019-217 and more) whenever it is reachable.
PROBE = {"package": {"name": "jinja2", "ecosystem": "PyPI"}, "version": "2.10"}
PROBE_S = 5.0
PIP_AUDIT_S = 600.0
DESCRIPTION_CHARS = 160


class AuditError(Exception):
    """pip-audit did not produce a report covering every pin."""


class Choice(Enum):
    """Which database to audit against."""

    AUTO = "auto"
    OSV = "osv"
    OFFLINE = "offline"


@dataclass(frozen=True, slots=True)
class Database:
    """The OSV query endpoint pip-audit is pointed at, and what to say about its data."""

    url: str
    described: str


def main(argv: Sequence[str] | None = None) -> int:
    """Run the audit; the exit status as the module docstring says."""
    args = _parser().parse_args(argv)
    today: date = args.today or datetime.now(UTC).date()
    try:
        accepted = load_accepted(args.accepted)
        pins = locked_pins(args.uv, args.project)
        _say(
            f"{len(pins)} packages pinned by {_shown(args.project / 'uv.lock')} "
            "(every dependency group and extra, every platform)"
        )
        with _database(Choice(args.database), args.advisories, today) as database:
            _say(f"database: {database.described}")
            findings = _pip_audit(pins, database.url)
    except (AcceptedFileError, LockError, AdvisoryCopyError, AuditError) as error:
        print(f"audit: could not audit: {error}", file=sys.stderr)
        return 2
    judged, unused = judge(findings, accepted, today)
    for item in judged:
        print(_line(item))
    for entry in unused:
        _say(
            f"warning: {_shown(args.accepted)}: {entry.package} {entry.id} matches no finding of "
            "this run (fixed, or named differently by this database): remove it once fixed"
        )
    failing = [item for item in judged if item.verdict is not Verdict.ACCEPTED]
    if failing:
        _say(
            f"FAILED: {len(failing)} known vulnerabilities not accepted; upgrade, or accept one "
            f"with a reason and a review date in {_shown(args.accepted)}"
        )
        return 1
    if judged:
        _say(f"passed: {len(pins)} packages, every known vulnerability accepted ({len(judged)})")
    else:
        _say(f"passed: no known vulnerability in {len(pins)} packages")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.audit",
        description="Audit every package of uv.lock with pip-audit, against OSV when it answers "
        "and otherwise against the dated offline advisory copy.",
    )
    parser.add_argument("--project", type=Path, default=ROOT, help="the directory of uv.lock")
    parser.add_argument(
        "--uv", type=Path, default=ROOT / ".tools" / "bin" / "uv", help="the uv binary"
    )
    parser.add_argument(
        "--accepted",
        type=Path,
        default=ROOT / "deploy" / "audit-accepted.toml",
        help="the accepted-findings file",
    )
    parser.add_argument(
        "--advisories",
        type=Path,
        default=ROOT.parent / "shared" / "advisories",
        help="the offline copy: README.md beside pypa/vulns/",
    )
    parser.add_argument(
        "--database",
        choices=[choice.value for choice in Choice],
        default=Choice.AUTO.value,
        help="auto: OSV when a quick query answers, else the offline copy",
    )
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="the day review dates are judged on (YYYY-MM-DD; default: today, UTC)",
    )
    return parser


@contextmanager
def _database(choice: Choice, advisories: Path, today: date) -> Iterator[Database]:
    if choice is Choice.AUTO:
        unanswered = _probe_osv()
        if unanswered is None:
            choice = Choice.OSV
        else:
            _say(f"OSV did not answer ({unanswered}): the offline advisory copy instead")
    if choice is Choice.OSV:
        yield Database(OSV_URL, f"OSV ({OSV_URL}), live, as of {today.isoformat()}")
        return
    copy = AdvisoryCopy(advisories)
    age = (today - copy.origin.dated).days
    described = (
        f"offline copy of the PyPA advisory database at {_shown(copy.root / 'pypa')}, "
        f"commit {copy.origin.commit}, dated {copy.origin.dated.isoformat()} ({age} days old): "
        "advisories published after that date are unknown to this run"
    )
    with local_osv(copy) as url:
        yield Database(url, described)


def _probe_osv() -> str | None:
    """None when OSV answers a known query with advisories; else why not."""
    request = urllib.request.Request(
        OSV_URL,
        data=json.dumps(PROBE).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=PROBE_S) as response:  # noqa: S310
            answer = json.loads(response.read())
    except (OSError, ValueError) as error:
        return f"{type(error).__name__}: {error}"
    if not isinstance(answer, dict) or not answer.get("vulns"):
        return "an answer without the advisories it has for jinja2 2.10"
    return None


def _pip_audit(pins: list[Pin], url: str) -> list[Finding]:
    # The loopback endpoint must not be sent through a proxy the environment names.
    no_proxy = ",".join(filter(None, [os.environ.get("NO_PROXY"), "127.0.0.1", "localhost"]))
    environment = {**os.environ, "NO_PROXY": no_proxy, "no_proxy": no_proxy}
    findings: list[Finding] = []
    with tempfile.TemporaryDirectory(prefix="connect-backend-audit-") as work:
        for number, batch in enumerate(rounds(pins)):
            requirements = Path(work) / f"requirements-{number}.txt"
            requirements.write_text("".join(f"{pin}\n" for pin in batch), encoding="utf-8")
            report = Path(work) / f"report-{number}.json"
            command = [
                sys.executable, "-m", "pip_audit",
                "--requirement", str(requirements), "--no-deps", "--disable-pip", "--strict",
                "--vulnerability-service", "osv", "--osv-url", url,
                "--format", "json", "--desc", "on", "--aliases", "on", "--output", str(report),
                "--progress-spinner", "off", "--cache-dir", str(Path(work) / "cache"),
            ]  # fmt: skip
            try:
                done = subprocess.run(  # noqa: S603 - pip-audit with arguments built here
                    command,
                    capture_output=True,
                    text=True,
                    timeout=PIP_AUDIT_S,
                    check=False,
                    env=environment,
                )
            except subprocess.TimeoutExpired as error:
                raise AuditError(f"pip-audit took longer than {PIP_AUDIT_S:.0f} s") from error
            findings += _read_report(report, batch, done)
    return findings


def _read_report(
    report: Path, batch: list[Pin], done: subprocess.CompletedProcess[str]
) -> list[Finding]:
    failed = f"pip-audit exited {done.returncode}: {done.stderr.strip()[-2000:]}"
    if done.returncode not in (0, 1) or not report.is_file():
        raise AuditError(failed)
    try:
        dependencies: list[dict[str, Any]] = json.loads(report.read_text())["dependencies"]
        audited = {Pin(d["name"], d["version"]) for d in dependencies if "skip_reason" not in d}
        findings = [
            Finding(
                package=dependency["name"],
                version=dependency["version"],
                id=vuln["id"],
                aliases=frozenset(vuln.get("aliases", ())),
                fix_versions=tuple(vuln.get("fix_versions", ())),
                description=vuln.get("description", ""),
            )
            for dependency in dependencies
            for vuln in dependency.get("vulns", ())
        ]
    except (ValueError, KeyError, TypeError) as error:
        raise AuditError(f"pip-audit's report is not as expected: {error!r}") from error
    missing = sorted(set(batch) - audited)
    if missing:
        raise AuditError(f"pip-audit did not audit {', '.join(map(str, missing))}")
    if done.returncode == 1 and not findings:
        raise AuditError(failed)
    return findings


def _line(item: Judged) -> str:
    finding, entry = item.finding, item.acceptance
    aliases = ", ".join(sorted(finding.aliases))
    named = f"{finding.package} {finding.version} {finding.id}" + (
        f" ({aliases})" if aliases else ""
    )
    fixed = ", ".join(finding.fix_versions) or "no fixed version"
    if item.verdict is Verdict.ACCEPTED and entry is not None:
        verdict = f"accepted until {entry.review_by.isoformat()}: {entry.reason}"
    elif item.verdict is Verdict.EXPIRED and entry is not None:
        verdict = (
            f"NOT ACCEPTED: its acceptance was to be reviewed by {entry.review_by.isoformat()} "
            f"(fixed in: {fixed})"
        )
    else:
        verdict = f"NOT ACCEPTED (fixed in: {fixed})"
    description = " ".join(finding.description.split())
    if len(description) > DESCRIPTION_CHARS:
        description = description[: DESCRIPTION_CHARS - 3] + "..."
    return f"  {named}: {verdict}\n      {description}"


def _say(message: str) -> None:
    print(f"audit: {message}", flush=True)


def _shown(path: Path) -> str:
    """`path` relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
