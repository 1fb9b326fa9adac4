"""What the audit takes from a lock: every pin, whatever its marker, in lists pip-audit accepts."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deploy.audit.lock import LockError, Pin, locked_pins, parse_export, rounds
from tests.audit.copies import ROOT, VULNERABLE_PROJECT
from tests.support.servers import unavailable


def test_every_pin_counts_whatever_its_marker() -> None:
    lines = [
        "# a comment uv may write",
        "",
        "Jinja2==2.10",
        "colorama==0.4.6 ; sys_platform == 'win32'",
        "pyyaml-ft==8.0.0 ; python_full_version == '3.13.*'",
    ]
    assert parse_export(lines) == [
        Pin("colorama", "0.4.6"),
        Pin("jinja2", "2.10"),
        Pin("pyyaml-ft", "8.0.0"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "jinja2>=2.10",
        "jinja2",
        "jinja2==2.10,!=2.10.1",
        "jinja2 @ https://example.org/jinja2-2.10.tar.gz",
        "-e ./vendored/jinja2",
    ],
)
def test_what_is_not_a_pinned_pypi_release_cannot_be_audited(line: str) -> None:
    with pytest.raises(LockError, match="cannot audit"):
        parse_export([line])


def test_a_lock_reads_with_its_dev_group_and_its_other_platforms() -> None:
    uv = ROOT / ".tools" / "bin" / "uv"
    if not uv.is_file():
        unavailable(f"{uv} is missing (make builds it)")
    assert locked_pins(uv, VULNERABLE_PROJECT) == [
        Pin("jinja2", "2.10"),
        Pin("markupsafe", "3.0.4"),
        Pin("pyyaml", "5.3"),
    ]


def test_a_directory_without_a_lock_is_refused(tmp_path: Path) -> None:
    uv = ROOT / ".tools" / "bin" / "uv"
    if not uv.is_file():
        unavailable(f"{uv} is missing (make builds it)")
    with pytest.raises(LockError, match="export exited"):
        locked_pins(uv, tmp_path)


pins = st.lists(
    st.builds(Pin, st.sampled_from(["a", "b", "c"]), st.sampled_from(["1", "2", "3"])),
    unique=True,
)


@given(pins)
def test_rounds_hold_every_pin_once_and_no_name_twice(given_pins: list[Pin]) -> None:
    batches = rounds(given_pins)
    assert sorted(pin for batch in batches for pin in batch) == sorted(given_pins)
    for batch in batches:
        assert len({pin.name for pin in batch}) == len(batch)
    names = [pin.name for pin in given_pins]
    assert len(batches) == max((names.count(name) for name in names), default=0)
