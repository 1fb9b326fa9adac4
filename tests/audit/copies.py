"""Advisory copies for the audit's tests: the shared dated one, and small ones written here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.support.servers import unavailable

ROOT = Path(__file__).resolve().parents[2]
SHARED_COPY = ROOT.parent / "shared" / "advisories"
# Pins jinja2 2.10 (run time) and pyyaml 5.3 (dev group, Windows only); see its pyproject.toml.
VULNERABLE_PROJECT = Path(__file__).parent / "vulnerable"
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def shared_copy() -> Path:
    """The dated copy beside the checkout (CI lays `shared/` there)."""
    if not (SHARED_COPY / "pypa" / "vulns").is_dir():
        unavailable(f"no advisory copy at {SHARED_COPY}")
    return SHARED_COPY


def write_copy(root: Path, records: dict[str, list[dict[str, Any]]], dated: str) -> Path:
    """A copy at `root` holding `records` by directory name, its README dated `dated`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "README.md").write_text(
        f"# A test copy\n\n- Source commit: `{COMMIT}`, committed {dated} (made by a test).\n"
    )
    vulns = root / "pypa" / "vulns"
    vulns.mkdir(parents=True)
    for directory, documents in records.items():
        (vulns / directory).mkdir()
        for document in documents:
            path = vulns / directory / f"{document['id']}.yaml"
            path.write_text(yaml.safe_dump(document, sort_keys=False))
    return root


def record(
    vuln_id: str,
    package: str,
    versions: list[str],
    events: list[dict[str, str]],
    **fields: Any,
) -> dict[str, Any]:
    """An OSV record of the PyPI `package` as the PyPA database writes them."""
    return {
        "id": vuln_id,
        "details": f"{vuln_id} in {package}",
        "affected": [
            {
                "package": {"name": package, "ecosystem": "PyPI", "purl": f"pkg:pypi/{package}"},
                "ranges": [{"type": "ECOSYSTEM", "events": events}],
                "versions": versions,
            }
        ],
        **fields,
    }
