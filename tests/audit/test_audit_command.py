"""`python -m deploy.audit` (`make audit`) on a lock that pins versions the advisory copy names.

The offline path is forced (`--database offline`) except where the choice itself is tested, and
there OSV's address is one on the loopback interface: no test depends on OSV answering.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from deploy.audit import command
from deploy.audit.advisories import AdvisoryCopy, local_osv
from tests.audit.copies import ROOT, VULNERABLE_PROJECT, shared_copy
from tests.support.servers import unavailable

FINDINGS = {
    ("jinja2", "PYSEC-2019-217"),
    ("jinja2", "PYSEC-2021-66"),
    ("pyyaml", "PYSEC-2020-96"),
    ("pyyaml", "PYSEC-2021-142"),
}
TODAY = "2026-06-01"


@pytest.fixture(autouse=True)
def uv() -> None:
    if not (ROOT / ".tools" / "bin" / "uv").is_file():
        unavailable("uv is missing from .tools/bin (make builds it)")


def accepted_file(tmp_path: Path, review_by: str, findings: set[tuple[str, str]]) -> Path:
    path = tmp_path / "accepted.toml"
    path.write_text(
        "".join(
            f'[[accepted]]\nid = "{vuln_id}"\npackage = "{package}"\n'
            f'reason = "A test accepts it."\nreview-by = {review_by}\n'
            for package, vuln_id in sorted(findings)
        )
    )
    return path


def audit(
    capsys: pytest.CaptureFixture[str], accepted: Path, *options: str
) -> tuple[int, str, str]:
    status = command.main(
        [
            "--project", str(VULNERABLE_PROJECT),
            "--accepted", str(accepted),
            "--advisories", str(shared_copy()),
            "--today", TODAY,
            *options,
        ]
    )  # fmt: skip
    out, err = capsys.readouterr()
    return status, out, err


def test_a_lock_pinning_vulnerable_versions_fails_naming_the_database_and_each_finding(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    origin = AdvisoryCopy(shared_copy()).origin
    status, out, _ = audit(
        capsys, accepted_file(tmp_path, "2026-06-30", set()), "--database=offline"
    )
    assert status == 1
    for package, vuln_id in FINDINGS:
        assert f"{package} " in out
        assert f" {vuln_id} " in out
    assert "jinja2 2.10 PYSEC-2019-217 (CVE-2019-10906, GHSA-462w-v97r-4m45): NOT ACCEPTED" in out
    assert "FAILED: 4 known vulnerabilities not accepted" in out
    assert "3 packages pinned by" in out
    assert (
        f"database: offline copy of the PyPA advisory database at {shared_copy() / 'pypa'}, "
        f"commit {origin.commit}, dated {origin.dated.isoformat()}"
    ) in out


def test_accepting_every_finding_passes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, _ = audit(
        capsys, accepted_file(tmp_path, "2026-06-30", FINDINGS), "--database=offline"
    )
    assert status == 0
    assert out.count("accepted until 2026-06-30: A test accepts it.") == 4
    assert "passed: 3 packages, every known vulnerability accepted (4)" in out


def test_accepting_some_fails_on_the_rest(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    some = {("jinja2", "PYSEC-2019-217"), ("jinja2", "PYSEC-2021-66"), ("pyyaml", "PYSEC-2020-96")}
    status, out, _ = audit(
        capsys, accepted_file(tmp_path, "2026-06-30", some), "--database=offline"
    )
    assert status == 1
    assert "pyyaml 5.3 PYSEC-2021-142 (CVE-2020-14343, GHSA-8q59-q68h-6hv4): NOT ACCEPTED" in out
    assert "FAILED: 1 known vulnerabilities not accepted" in out


def test_an_acceptance_past_its_review_date_fails_again(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out, _ = audit(
        capsys, accepted_file(tmp_path, "2026-05-31", FINDINGS), "--database=offline"
    )
    assert status == 1
    assert out.count("its acceptance was to be reviewed by 2026-05-31") == 4
    assert "FAILED: 4 known vulnerabilities not accepted" in out


def test_an_entry_matching_no_finding_is_a_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    stale = {*FINDINGS, ("markupsafe", "PYSEC-0000-1")}
    status, out, _ = audit(
        capsys, accepted_file(tmp_path, "2026-06-30", stale), "--database=offline"
    )
    assert status == 0
    assert "markupsafe PYSEC-0000-1 matches no finding of this run" in out


def test_a_bad_accepted_file_stops_the_audit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "accepted.toml"
    path.write_text('[[accepted]]\nid = "PYSEC-2019-217"\n')
    status, out, err = audit(capsys, path, "--database=offline")
    assert status == 2
    assert "could not audit" in err
    assert "entry 1: needs exactly id, package, reason, review-by" in err
    assert "NOT ACCEPTED" not in out


def test_without_the_advisory_copy_offline_it_cannot_audit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    accepted = accepted_file(tmp_path, "2026-06-30", set())
    status = command.main(
        ["--project", str(VULNERABLE_PROJECT), "--accepted", str(accepted),
         "--advisories", str(tmp_path / "nothing"), "--database=offline"]
    )  # fmt: skip
    assert status == 2
    assert "no advisory copy" in capsys.readouterr().err


def test_when_osv_does_not_answer_the_offline_copy_is_used(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with local_osv(AdvisoryCopy(shared_copy())) as gone:
        pass
    monkeypatch.setattr(command, "OSV_URL", gone)
    status, out, _ = audit(capsys, accepted_file(tmp_path, "2026-06-30", set()))
    assert status == 1
    assert "OSV did not answer (URLError: " in out
    assert "database: offline copy of the PyPA advisory database" in out


def test_when_osv_answers_it_is_used(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with local_osv(AdvisoryCopy(shared_copy())) as stand_in:
        monkeypatch.setattr(command, "OSV_URL", stand_in)
        status, out, _ = audit(capsys, accepted_file(tmp_path, "2026-06-30", FINDINGS))
    assert status == 0
    assert f"database: OSV ({stand_in}), live, as of {TODAY}" in out
    assert "offline copy" not in out


def test_the_module_runs_as_make_audit_runs_it(tmp_path: Path) -> None:
    done = subprocess.run(  # noqa: S603 - this interpreter and the module under test
        [
            sys.executable, "-m", "deploy.audit", "--database=offline",
            "--project", str(VULNERABLE_PROJECT), "--advisories", str(shared_copy()),
            "--accepted", str(accepted_file(tmp_path, "2026-06-30", set())),
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "FAILED: 4 known vulnerabilities not accepted" in done.stdout
