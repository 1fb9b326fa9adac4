"""The accepted-findings file, and how a finding is judged by it on a given day."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from deploy.audit.accepted import (
    Acceptance,
    AcceptedFileError,
    Finding,
    Verdict,
    judge,
    load_accepted,
)
from tests.audit.copies import ROOT

FINDING = Finding(
    package="jinja2",
    version="2.10",
    id="PYSEC-2019-217",
    aliases=frozenset({"CVE-2019-10906", "GHSA-462w-v97r-4m45"}),
    fix_versions=("2.10.1",),
    description="A sandbox escape.",
)
REVIEW_BY = date(2026, 6, 30)


def entry(vuln_id: str = "PYSEC-2019-217", package: str = "jinja2") -> Acceptance:
    return Acceptance(
        id=vuln_id, package=package, reason="Never renders templates.", review_by=REVIEW_BY
    )


def verdict(acceptance: Acceptance, today: date = REVIEW_BY) -> Verdict:
    [judged], _ = judge([FINDING], [acceptance], today)
    return judged.verdict


def test_an_entry_covers_its_finding_by_id_or_alias_in_any_spelling_of_the_package() -> None:
    assert verdict(entry()) is Verdict.ACCEPTED
    assert verdict(entry("CVE-2019-10906")) is Verdict.ACCEPTED
    assert verdict(entry(package="Jinja2")) is Verdict.ACCEPTED


def test_an_entry_about_another_id_or_package_covers_nothing() -> None:
    for other in (entry("PYSEC-2021-66"), entry(package="jinja")):
        judged, unused = judge([FINDING], [other], REVIEW_BY)
        assert [item.verdict for item in judged] == [Verdict.NOT_ACCEPTED]
        assert judged[0].acceptance is None
        assert unused == [other]


def test_an_acceptance_holds_through_its_review_date_and_not_a_day_longer() -> None:
    assert verdict(entry(), date(2026, 6, 30)) is Verdict.ACCEPTED
    assert verdict(entry(), date(2026, 7, 1)) is Verdict.EXPIRED


def test_a_used_entry_is_not_reported_unused() -> None:
    used, spare = entry(), entry("PYSEC-2021-66")
    judged, unused = judge([FINDING], [used, spare], REVIEW_BY)
    assert judged[0].acceptance == used
    assert unused == [spare]


def test_the_file_reads_into_entries(tmp_path: Path) -> None:
    path = tmp_path / "accepted.toml"
    path.write_text(
        '[[accepted]]\nid = "PYSEC-2019-217"\npackage = "jinja2"\n'
        'reason = """Never renders\n   templates."""\nreview-by = 2026-06-30\n'
    )
    assert load_accepted(path) == [entry()]


def test_the_projects_own_file_reads() -> None:
    load_accepted(ROOT / "deploy" / "audit-accepted.toml")


GOOD = 'id = "X-1"\npackage = "jinja2"\nreason = "r"\nreview-by = 2026-06-30\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[accepted]\n", "Expected"),
        ("[accepted]\n" + GOOD, "array of tables"),
        ("[[findings]]\n" + GOOD, "unknown top-level keys"),
        ("[[accepted]]\n" + GOOD.replace('reason = "r"\n', ""), "entry 1: .*missing reason"),
        ("[[accepted]]\n" + GOOD + "until = 2027-01-01\n", "entry 1: .*unknown until"),
        ("[[accepted]]\n" + GOOD.replace('"r"', '"  "'), "'reason' must be a non-empty string"),
        ("[[accepted]]\n" + GOOD.replace('"X-1"', "1"), "'id' must be a non-empty string"),
        ("[[accepted]]\n" + GOOD.replace("2026-06-30", '"2026-06-30"'), "must be a TOML date"),
        ("[[accepted]]\n" + GOOD.replace("2026-06-30", "2026-06-30T00:00:00"), "TOML date"),
        (
            "[[accepted]]\n" + GOOD + "[[accepted]]\n" + GOOD.replace("jinja2", "Jinja2"),
            "entry 2: Jinja2 X-1 is accepted twice",
        ),
    ],
)
def test_a_bad_file_is_refused_saying_where(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "accepted.toml"
    path.write_text(text)
    with pytest.raises(AcceptedFileError, match=message):
        load_accepted(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AcceptedFileError, match="No such file"):
        load_accepted(tmp_path / "nothing.toml")
