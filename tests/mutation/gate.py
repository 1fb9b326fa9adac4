"""The mutation gate: fail unless the tests kill enough of mutmut's mutants of the domain.

Run after `mutmut run` from the repository root (`make mutation` does both). It reads mutmut's
results in `mutants/` and `[tool.mutation-gate]` in `pyproject.toml`, and fails when

- any mutant is reached by no test at all,
- any mutant was not tested (an interrupted run), or
- fewer than `threshold` per cent of the mutants are killed, not counting the equivalent ones
  listed in the reviewed file `equivalents` (a mutant the type checker refuses counts as killed:
  CI's `mypy --strict` would refuse it too; so does one that hangs the tests),

and also when that file has gone stale: an entry that matches no mutant, or matches one the
tests kill. An entry names the function and a fingerprint of the mutated lines, not mutmut's
running number, so that editing another part of the function does not move it onto another
mutant. `python -m tests.mutation.gate --describe NAME...` prints the entry for a mutant.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

MUTANTS = Path("mutants")
PYPROJECT = Path("pyproject.toml")

# mutmut's exit codes (`mutmut.stats.status_by_exit_code`) grouped by what they mean here.
_KILLED = {1, 3, 37, 36, 24, -24, 152, 255, -9, -11}  # failed, type check, timeout, crashed
_SURVIVED = {0}
_NO_TESTS = {5, 33}
_NOT_CHECKED = {None, 2}


@dataclass(frozen=True, slots=True)
class Mutant:
    """One mutant and its outcome; `function` is readable (`module.Class.method`)."""

    name: str
    path: str
    function: str
    exit_code: int | None
    fingerprint: str = ""

    @property
    def killed(self) -> bool:
        return self.exit_code in _KILLED

    @property
    def reached_by_no_test(self) -> bool:
        return self.exit_code in _NO_TESTS

    @property
    def not_checked(self) -> bool:
        return self.exit_code in _NOT_CHECKED


@dataclass(frozen=True, slots=True)
class Equivalent:
    """A reviewed entry: the mutants of `function` whose mutated lines hash to `fingerprint`."""

    function: str
    fingerprint: str
    reason: str
    line: int


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the gate decided, with every number it printed."""

    total: int
    killed: int
    equivalent: frozenset[str]
    score: float
    survivors: tuple[Mutant, ...]
    no_tests: tuple[Mutant, ...]
    not_checked: tuple[Mutant, ...]
    stale: tuple[str, ...]
    threshold: float

    @property
    def passed(self) -> bool:
        return (
            self.total > 0
            and self.score >= self.threshold
            and not self.no_tests
            and not self.not_checked
            and not self.stale
        )


def fingerprint(diff: str) -> str:
    """The mutated lines of a unified diff, without positions or context, hashed."""
    changed = [
        line[0] + line[1:].strip()
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    return hashlib.sha256("\n".join(changed).encode()).hexdigest()[:12]


def readable_function(mutant_name: str) -> str:
    """`domain.x.xǁClassǁmethod__mutmut_3` -> `domain.x.Class.method`; `x_f` -> `f`."""
    mangled = mutant_name.partition("__mutmut_")[0]
    module, _, local = mangled.rpartition(".")
    if local.startswith("xǁ"):
        _, class_name, method = local.split("ǁ", 2)
        return f"{module}.{class_name}.{method}"
    return f"{module}.{local.removeprefix('x_')}"


def parse_equivalents(text: str) -> list[Equivalent]:
    """Entries are `function fingerprint reason...`; `#` starts a comment line."""
    entries = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(maxsplit=2)
        if len(parts) < 3:
            raise ValueError(f"line {number}: expected `function fingerprint reason`: {raw!r}")
        entries.append(Equivalent(parts[0], parts[1], parts[2], number))
    return entries


def judge(
    mutants: Sequence[Mutant], equivalents: Sequence[Equivalent], threshold: float
) -> Verdict:
    """Apply the rules in the module docstring."""
    listed = {(entry.function, entry.fingerprint): entry for entry in equivalents}
    matched: Counter[tuple[str, str]] = Counter()
    stale = []
    counted, killed = 0, 0
    equivalent, survivors = set(), []
    for mutant in mutants:
        key = (mutant.function, mutant.fingerprint)
        if key in listed and not mutant.reached_by_no_test:
            matched[key] += 1
            if mutant.killed:
                stale.append(f"line {listed[key].line}: {mutant.name} is killed, not equivalent")
            elif not mutant.not_checked:
                equivalent.add(mutant.name)
                continue
        counted += 1
        if mutant.killed:
            killed += 1
        elif not (mutant.reached_by_no_test or mutant.not_checked):
            survivors.append(mutant)
    stale += [
        f"line {entry.line}: {entry.function} {entry.fingerprint} matches no mutant"
        for key, entry in listed.items()
        if not matched[key]
    ]
    return Verdict(
        total=len(mutants),
        killed=killed,
        equivalent=frozenset(equivalent),
        score=100.0 * killed / counted if counted else 0.0,
        survivors=tuple(survivors),
        no_tests=tuple(m for m in mutants if m.reached_by_no_test),
        not_checked=tuple(m for m in mutants if m.not_checked),
        stale=tuple(stale),
        threshold=threshold,
    )


def report(verdict: Verdict, mutants: Sequence[Mutant]) -> Iterator[str]:
    """The lines the gate prints: a table by file, then what needs a test or a review."""
    left = {m.name for m in verdict.survivors + verdict.no_tests + verdict.not_checked}
    by_path: dict[str, Counter[str]] = {}
    for mutant in mutants:
        counts = by_path.setdefault(mutant.path, Counter())
        counts["mutants"] += 1
        counts["killed"] += mutant.killed
        counts["equivalent"] += mutant.name in verdict.equivalent
        counts["left"] += mutant.name in left
    yield f"{'file':<44} {'mutants':>7} {'killed':>7} {'equiv':>5} {'left':>5}"
    for path in sorted(by_path):
        c = by_path[path]
        yield f"{path:<44} {c['mutants']:>7} {c['killed']:>7} {c['equivalent']:>5} {c['left']:>5}"
    for title, group in (
        ("Reached by no test", verdict.no_tests),
        ("Not tested (an interrupted run?)", verdict.not_checked),
        ("Not killed", verdict.survivors),
    ):
        if group:
            yield f"\n{title}: {len(group)} (`.venv/bin/mutmut show NAME` shows one)"
            yield from (f"  {m.name}" for m in group)
    if verdict.stale:
        yield "\nStale entries in the equivalent-mutants file:"
        yield from (f"  {problem}" for problem in verdict.stale)
    counted = verdict.total - len(verdict.equivalent)
    yield (
        f"\n{verdict.killed} of {counted} mutants killed ({verdict.score:.1f} %;"
        f" {len(verdict.equivalent)} listed equivalent ones not counted);"
        f" the gate needs {verdict.threshold:g} %: {'PASS' if verdict.passed else 'FAIL'}"
    )


def _settings() -> tuple[list[str], Path, float]:
    tool = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]
    gate = tool["mutation-gate"]
    return tool["mutmut"]["source_paths"], Path(gate["equivalents"]), float(gate["threshold"])


def _source_files(source_paths: Iterable[str]) -> Iterator[Path]:
    for source in source_paths:
        root = Path(source)
        yield from sorted(root.rglob("*.py")) if root.is_dir() else [root]


def load_mutants(source_paths: Iterable[str]) -> list[Mutant]:
    """Every mutant of every file mutmut mutated, with its outcome and fingerprint."""
    # mutmut reads its configuration when imported: only from the repository root.
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    mutants = []
    for path in _source_files(source_paths):
        meta = MUTANTS / f"{path}.meta"
        if not meta.exists():
            continue
        exit_codes: dict[str, int | None] = json.loads(meta.read_text(encoding="utf-8"))[
            "exit_code_by_key"
        ]
        for name, exit_code in exit_codes.items():
            diff = get_diff_for_mutant(name, path=path)
            mutants.append(
                Mutant(name, str(path), readable_function(name), exit_code, fingerprint(diff))
            )
    return mutants


def describe(names: Sequence[str], mutants: Sequence[Mutant]) -> Iterator[str]:
    """An entry for each named mutant, above its diff, ready for the equivalents file."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    by_name = {mutant.name: mutant for mutant in mutants}
    for name in names:
        mutant = by_name[name]
        yield f"{mutant.function} {mutant.fingerprint} REASON"
        yield from (
            f"#   {line}" for line in get_diff_for_mutant(name, path=mutant.path).split("\n")
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--describe", nargs="+", metavar="NAME", help="print equivalents entries")
    args = parser.parse_args(argv)
    if not MUTANTS.is_dir():
        print("no mutants/ here: run `make mutation` from the repository root", file=sys.stderr)
        return 2
    source_paths, equivalents_path, threshold = _settings()
    mutants = load_mutants(source_paths)
    if args.describe:
        print("\n".join(describe(args.describe, mutants)))
        return 0
    equivalents = parse_equivalents(equivalents_path.read_text(encoding="utf-8"))
    verdict = judge(mutants, equivalents, threshold)
    print("\n".join(report(verdict, mutants)))
    return 0 if verdict.passed else 1


if __name__ == "__main__":
    sys.exit(main())
