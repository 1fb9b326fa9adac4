"""Known vulnerabilities shipped knowingly: the accepted-findings file, and judging findings by it.

The file (`deploy/audit-accepted.toml`) holds `[[accepted]]` tables, each with exactly `id`,
`package`, `reason` and `review-by` (a TOML date). An entry covers a finding of that package
whose id or one of its aliases is `id`, through its `review-by` day; from the next day on the
finding fails the audit again until someone reviews it (a fix, or a new reason and date).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

KEYS = ("id", "package", "reason", "review-by")


class AcceptedFileError(Exception):
    """The accepted-findings file cannot be read, or an entry in it is not as described."""


@dataclass(frozen=True, slots=True)
class Finding:
    """A known vulnerability in a locked package, as pip-audit reported it."""

    package: str
    version: str
    id: str
    aliases: frozenset[str]
    fix_versions: tuple[str, ...]
    description: str

    @property
    def ids(self) -> frozenset[str]:
        """The id and every alias: OSV and the offline copy may name one advisory differently."""
        return self.aliases | {self.id}


@dataclass(frozen=True, slots=True)
class Acceptance:
    """One entry of the file: a finding shipped knowingly, why, and until when."""

    id: str
    package: str
    reason: str
    review_by: date

    def covers(self, finding: Finding) -> bool:
        """Whether this entry is about `finding` (package names compared as PEP 503 says)."""
        return canonicalize_name(self.package) == canonicalize_name(finding.package) and (
            self.id in finding.ids
        )

    def expired(self, today: date) -> bool:
        """Whether the review date has passed: the entry holds through that day."""
        return today > self.review_by


class Verdict(Enum):
    """What the audit makes of a finding."""

    ACCEPTED = "accepted"
    EXPIRED = "acceptance expired"
    NOT_ACCEPTED = "not accepted"


@dataclass(frozen=True, slots=True)
class Judged:
    """A finding, its verdict, and the entry that decided it (None when no entry covers it)."""

    finding: Finding
    verdict: Verdict
    acceptance: Acceptance | None


def judge(
    findings: Iterable[Finding], accepted: Iterable[Acceptance], today: date
) -> tuple[list[Judged], list[Acceptance]]:
    """Each finding judged by the entries on `today`, and the entries that covered no finding."""
    entries = list(accepted)
    judged = []
    for finding in findings:
        entry = next((entry for entry in entries if entry.covers(finding)), None)
        if entry is None:
            verdict = Verdict.NOT_ACCEPTED
        elif entry.expired(today):
            verdict = Verdict.EXPIRED
        else:
            verdict = Verdict.ACCEPTED
        judged.append(Judged(finding, verdict, entry))
    used = {item.acceptance for item in judged}
    return judged, [entry for entry in entries if entry not in used]


def load_accepted(path: Path) -> list[Acceptance]:
    """The entries of the file at `path`; `AcceptedFileError` naming what is wrong, and where."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise AcceptedFileError(f"{path}: {error}") from error
    unknown = set(document) - {"accepted"}
    if unknown:
        raise AcceptedFileError(f"{path}: unknown top-level keys {sorted(unknown)}")
    tables = document.get("accepted", [])
    if not isinstance(tables, list):
        raise AcceptedFileError(f"{path}: 'accepted' must be an array of tables ([[accepted]])")
    entries: list[Acceptance] = []
    for number, table in enumerate(tables, start=1):
        entry = _entry(table, f"{path}: entry {number}")
        duplicate = next(
            (
                other
                for other in entries
                if other.id == entry.id
                and canonicalize_name(other.package) == canonicalize_name(entry.package)
            ),
            None,
        )
        if duplicate is not None:
            raise AcceptedFileError(
                f"{path}: entry {number}: {entry.package} {entry.id} is accepted twice"
            )
        entries.append(entry)
    return entries


def _entry(table: Any, where: str) -> Acceptance:
    if not isinstance(table, Mapping):
        raise AcceptedFileError(f"{where}: not a table")
    missing = [key for key in KEYS if key not in table]
    unknown = sorted(set(table) - set(KEYS))
    if missing or unknown:
        raise AcceptedFileError(
            f"{where}: needs exactly {', '.join(KEYS)}"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unknown {', '.join(unknown)}" if unknown else "")
        )
    texts = {key: table[key] for key in ("id", "package", "reason")}
    for key, value in texts.items():
        if not isinstance(value, str) or not value.strip():
            raise AcceptedFileError(f"{where}: '{key}' must be a non-empty string")
    review_by = table["review-by"]
    # A TOML date parses as `date`; a date-time (a `datetime`, which is a `date` too) does not do.
    if not isinstance(review_by, date) or isinstance(review_by, datetime):
        raise AcceptedFileError(f"{where}: 'review-by' must be a TOML date, like 2027-01-31")
    return Acceptance(
        id=texts["id"].strip(),
        package=texts["package"].strip(),
        reason=" ".join(texts["reason"].split()),
        review_by=review_by,
    )
