"""The packages a uv.lock pins, every group and platform, as requirement lists for pip-audit."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

# `uv export` of the lock as it is (--frozen: never re-resolved), with every dependency group and
# extra; the project itself is not on PyPI.
EXPORT = (
    "export",
    "--frozen",
    "--all-groups",
    "--all-extras",
    "--no-hashes",
    "--no-emit-project",
    "--no-header",
    "--no-annotate",
    "--format",
    "requirements.txt",
)
EXPORT_S = 120.0


class LockError(Exception):
    """The lock cannot be exported, or pins something pip-audit cannot look up by version."""


@dataclass(frozen=True, slots=True, order=True)
class Pin:
    """One locked package: its PEP 503 name and exact version."""

    name: str
    version: str

    def __str__(self) -> str:
        return f"{self.name}=={self.version}"


def locked_pins(uv: Path, project: Path) -> list[Pin]:
    """Every package `project`'s uv.lock pins, read by `uv export`."""
    try:
        done = subprocess.run(  # noqa: S603 - uv with fixed arguments
            [str(uv), *EXPORT, "--project", str(project)],
            capture_output=True,
            text=True,
            timeout=EXPORT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise LockError(f"{uv} export could not run: {error}") from error
    if done.returncode != 0:
        raise LockError(f"{uv} export exited {done.returncode}: {done.stderr.strip()}")
    return parse_export(done.stdout.splitlines())


def parse_export(lines: Iterable[str]) -> list[Pin]:
    """The pins of `uv export`'s requirement lines, markers dropped.

    pip-audit skips a requirement whose marker is false here (a Windows-only package on Linux),
    and the audit is of the whole lock, whatever platform installs it.
    """
    pins: set[Pin] = set()
    for line in lines:
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        try:
            requirement = Requirement(text)
        except InvalidRequirement as error:
            raise LockError(f"cannot audit {text!r}: {error}") from error
        specifiers = list(requirement.specifier)
        if requirement.url or len(specifiers) != 1 or specifiers[0].operator != "==":
            raise LockError(f"cannot audit {text!r}: not a PyPI release pinned with ==")
        pins.add(Pin(canonicalize_name(requirement.name), specifiers[0].version))
    return sorted(pins)


def rounds(pins: Iterable[Pin]) -> list[list[Pin]]:
    """The pins split so that no name repeats within one list.

    A lock forked by markers may pin two versions of a name, and pip-audit refuses a
    requirement file that names a package twice: each list goes to one pip-audit run.
    """
    batches: list[list[Pin]] = []
    for pin in sorted(pins):
        batch = next((b for b in batches if all(p.name != pin.name for p in b)), None)
        if batch is None:
            batches.append([pin])
        else:
            batch.append(pin)
    return batches
