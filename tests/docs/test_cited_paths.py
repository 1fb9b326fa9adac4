"""What the documentation and the code's docstrings and comments cite exists in this repository,
so a moved or deleted file cannot leave a stale citation behind.

docs/security.md cites the tests that hold each defence to it: every path there must exist, and
a file is cited by its path. Docstrings and comments cite repository paths and documents; the
team's private workspace beside the checkout is not part of the repository. Decision records
are numbered without a gap, and their index lists each.
"""

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECURITY = ROOT / "docs" / "security.md"
TOP_LEVEL = (
    "adapters",
    "bench",
    "clients",
    "corbado_emulator",
    "deploy",
    "docs",
    "domain",
    "entrypoints",
    "tests",
)
# A repository path: a top-level folder, then a path that ends in a word character (so the
# sentence's punctuation is not part of it); not the tail of a longer path or a URL.
REPOSITORY_PATH = re.compile(rf"(?<![\w./-])(?:{'|'.join(TOP_LEVEL)})/[\w./-]*\w")
CODE = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
DOCUMENT = re.compile(r"(?<![\w./-])[\w-]+\.md\b")
SOURCES = ("adapters", "bench", "corbado_emulator", "domain", "entrypoints", "tests")
# The benchmark scripts run the team's shared harness, which lives beside the checkout.
WORKSPACE_ALLOWED = ("bench",)


def exists(cited: str) -> bool:
    """Whether `cited` names a file or folder here, or starts one's name (`docs/decisions/0014`)."""
    path = ROOT / cited
    return path.exists() or any(path.parent.glob(f"{path.name}*"))


def security_citations() -> list[str]:
    text = SECURITY.read_text(encoding="utf-8")
    return [
        cited
        for code in CODE.findall(text)
        for cited in REPOSITORY_PATH.findall(code)
        if REPOSITORY_PATH.fullmatch(code)
    ]


def test_security_md_cites_tests_that_exist() -> None:
    citations = security_citations()
    assert len(citations) > 40, "the pattern stopped finding the citations"
    assert [cited for cited in citations if not exists(cited)] == []


def test_security_md_cites_a_file_by_its_path() -> None:
    text = SECURITY.read_text(encoding="utf-8")
    bare = [code for code in CODE.findall(text) if code.endswith(".py") and "/" not in code]
    assert bare == []


def test_security_md_links_to_documents_that_exist() -> None:
    targets = LINK.findall(SECURITY.read_text(encoding="utf-8"))
    local = [t.split("#")[0] for t in targets if "://" not in t and not t.startswith("#")]
    assert local, "the pattern stopped finding the links"
    assert [t for t in local if not (SECURITY.parent / t).exists()] == []


def prose(source: Path) -> Iterator[str]:
    """The docstrings and comments of a Python file."""
    text = source.read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(text)):
        documented = ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
        if isinstance(node, documented) and (docstring := ast.get_docstring(node, clean=False)):
            yield docstring
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            yield token.string


def python_sources() -> list[Path]:
    return sorted(path for top in SOURCES for path in (ROOT / top).rglob("*.py"))


# The documents a docstring may name without a path: this repository's own.
DOCUMENTS = {path.name for path in [*ROOT.glob("*.md"), *(ROOT / "docs").rglob("*.md")]}


def stale_citations(source: Path) -> Iterator[str]:
    """What the docstrings and comments of `source` cite that this repository does not hold."""
    for text in prose(source):
        flat = " ".join(text.split())
        yield from (cited for cited in REPOSITORY_PATH.findall(flat) if not exists(cited))
        yield from (name for name in DOCUMENT.findall(flat) if name not in DOCUMENTS)
        if source.relative_to(ROOT).parts[0] not in WORKSPACE_ALLOWED and "../shared/" in flat:
            yield "the team's workspace beside the checkout"


def test_docstrings_and_comments_cite_what_the_repository_holds() -> None:
    sources = python_sources()
    assert len(sources) > 300, "the sources are no longer found"
    stale = [
        f"{source.relative_to(ROOT)}: {cited}"
        for source in sources
        for cited in stale_citations(source)
    ]
    assert stale == []


def test_every_decision_number_has_its_record_and_the_index_lists_each() -> None:
    decisions = ROOT / "docs" / "decisions"
    numbers = sorted(int(path.name[:4]) for path in decisions.glob("[0-9][0-9][0-9][0-9]-*.md"))
    assert numbers == list(range(1, len(numbers) + 1))
    index = (decisions / "README.md").read_text(encoding="utf-8")
    listed = [int(number) for number in re.findall(r"^\| \[(\d{4})\]\(\1-", index, re.MULTILINE)]
    assert listed == numbers
