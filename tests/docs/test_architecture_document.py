"""docs/architecture.md describes the tree as it is.

Every repository path and every module it names exists (a module's named function or class
too), every production package appears in it, and adding an endpoint is a list of at most six
files, each of which exists or is the one new file it names.
"""

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs" / "architecture.md"
PRODUCTION = ("domain", "adapters", "entrypoints", "corbado_emulator")
TOP_LEVEL = (*PRODUCTION, "bench", "clients", "deploy", "docs", "tests")
CODE = re.compile(r"`([^`\n]+)`")
# A repository path from the top: `entrypoints/web/app.py`, `tests/contracts/`.
REPOSITORY_PATH = re.compile(rf"(?:{'|'.join(TOP_LEVEL)})/[\w./<>-]*")
# A module, and what it defines: `entrypoints.web.app.create_app`.
DOTTED = re.compile(rf"(?:{'|'.join(PRODUCTION)})(?:\.\w+)+")
NEW_FILE = re.compile(r"<[\w-]+>")
ENDPOINT_LIST = re.compile(r"^## Adding an endpoint\n(.*?)(?=^## |\Z)", re.MULTILINE | re.DOTALL)
MOST_FILES_FOR_AN_ENDPOINT = 6


def text() -> str:
    return DOCUMENT.read_text(encoding="utf-8")


def named(pattern: re.Pattern[str]) -> list[str]:
    return [code for code in CODE.findall(text()) if pattern.fullmatch(code)]


def test_every_path_it_names_exists() -> None:
    paths = [path for path in named(REPOSITORY_PATH) if not NEW_FILE.search(path)]
    assert len(paths) > 60, "the pattern stopped finding the paths"
    assert [path for path in paths if not (ROOT / path).exists()] == []


@cache
def definitions(module: Path) -> dict[str, set[str]]:
    """The names a module defines or imports at its top, each with what a class defines."""
    found: dict[str, set[str]] = {}
    for node in ast.parse(module.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ClassDef):
            found[node.name] = {target for inner in node.body for target in _defined(inner)}
        for name in _defined(node):
            found.setdefault(name, set())
    return found


def _defined(node: ast.stmt) -> list[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    if isinstance(node, ast.ImportFrom | ast.Import):
        return [(alias.asname or alias.name).split(".")[0] for alias in node.names]
    return []


def resolves(dotted: str) -> bool:
    """Whether `dotted` is a module here, or a name (and a class's member) one defines."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        base = ROOT.joinpath(*parts[:cut])
        module = (
            base.with_suffix(".py") if base.with_suffix(".py").exists() else base / "__init__.py"
        )
        if not module.exists():
            continue
        rest = parts[cut:]
        if not rest:
            return True
        members = definitions(module).get(rest[0])
        return members is not None and (len(rest) == 1 or rest[1] in members) and len(rest) <= 2
    return False


def test_every_module_and_definition_it_names_exists() -> None:
    dotted = named(DOTTED)
    assert len(dotted) > 30, "the pattern stopped finding the modules"
    assert [name for name in dotted if not resolves(name)] == []


def production_packages() -> list[str]:
    return sorted(
        init.parent.relative_to(ROOT).as_posix()
        for top in PRODUCTION
        for init in (ROOT / top).rglob("__init__.py")
    )


def test_every_production_package_appears() -> None:
    packages = production_packages()
    assert len(packages) > 8, "the packages are no longer found"
    document = text()
    assert [package for package in packages if f"{package}/" not in document] == []


def endpoint_files() -> list[str]:
    section = ENDPOINT_LIST.search(text())
    assert section is not None, "the section 'Adding an endpoint' is gone"
    items = re.findall(r"^\d+\. `([^`]+)`", section.group(1), re.MULTILINE)
    assert items, "the section lists no file"
    return items


def test_adding_an_endpoint_is_a_short_list_of_files() -> None:
    files = endpoint_files()
    assert len(files) <= MOST_FILES_FOR_AN_ENDPOINT
    assert len(set(files)) == len(files)
    existing = [path for path in files if not NEW_FILE.search(path)]
    assert [path for path in existing if not (ROOT / path).exists()] == []
    new = [path for path in files if NEW_FILE.search(path)]
    assert [path for path in new if not (ROOT / path).parent.is_dir()] == []


@pytest.mark.parametrize(
    ("dotted", "holds"),
    [
        ("entrypoints.container", True),
        ("domain.errors.DomainError", True),
        ("domain.errors.NoSuchError", False),
        ("domain.nowhere", False),
    ],
)
def test_the_resolver_tells_a_stale_name(dotted: str, holds: bool) -> None:
    assert resolves(dotted) is holds
