"""The mutation gate's rules, on made-up results (no mutmut run needed)."""

import pytest

from tests.mutation.gate import (
    Equivalent,
    Mutant,
    fingerprint,
    judge,
    parse_equivalents,
    readable_function,
)

KILLED, SURVIVED, NO_TESTS, TYPE_CHECK, TIMEOUT = 1, 0, 33, 37, 36
F = "domain.x.f"


def mutant(number: int, exit_code: int | None, print_: str = "") -> Mutant:
    return Mutant(
        f"domain.x.x_f__mutmut_{number}", "domain/x.py", F, exit_code, print_ or str(number)
    )


def equivalent(print_: str, line: int = 1) -> Equivalent:
    return Equivalent(F, print_, "same behaviour", line)


def killed_and_survivors(killed: int, survived: int) -> list[Mutant]:
    return [mutant(n, KILLED) for n in range(killed)] + [
        mutant(killed + n, SURVIVED) for n in range(survived)
    ]


def test_95_percent_killed_passes_and_just_below_fails() -> None:
    assert judge(killed_and_survivors(95, 5), [], 95).passed
    assert not judge(killed_and_survivors(94, 6), [], 95).passed


def test_type_check_and_timeout_count_as_killed() -> None:
    verdict = judge([mutant(1, TYPE_CHECK), mutant(2, TIMEOUT)], [], 100)
    assert (verdict.killed, verdict.score, verdict.passed) == (2, 100.0, True)


def test_listed_equivalents_leave_the_count() -> None:
    mutants = [*killed_and_survivors(19, 0), mutant(19, SURVIVED, "eq")]
    verdict = judge(mutants, [equivalent("eq")], 100)
    assert (verdict.killed, verdict.equivalent, verdict.score) == (
        19,
        frozenset({mutants[-1].name}),
        100.0,
    )
    assert verdict.passed


def test_one_mutant_reached_by_no_test_fails_whatever_the_score() -> None:
    verdict = judge([*killed_and_survivors(1000, 0), mutant(1000, NO_TESTS)], [], 95)
    assert verdict.score > 99
    assert not verdict.passed
    assert [m.name for m in verdict.no_tests] == ["domain.x.x_f__mutmut_1000"]


def test_an_unfinished_run_fails() -> None:
    assert not judge([*killed_and_survivors(100, 0), mutant(100, None)], [], 95).passed


def test_an_equivalent_the_tests_kill_is_stale() -> None:
    verdict = judge([mutant(1, KILLED, "eq")], [equivalent("eq", line=7)], 95)
    assert verdict.stale == ("line 7: domain.x.x_f__mutmut_1 is killed, not equivalent",)
    assert not verdict.passed


def test_an_equivalent_matching_no_mutant_is_stale() -> None:
    verdict = judge(killed_and_survivors(10, 0), [equivalent("gone", line=3)], 95)
    assert verdict.stale == ("line 3: domain.x.f gone matches no mutant",)
    assert not verdict.passed


def test_no_mutants_at_all_fails() -> None:
    assert not judge([], [], 95).passed


def test_a_fingerprint_ignores_positions_context_and_indentation() -> None:
    diff = "--- a.py\n+++ a.py\n@@ -1,3 +1,3 @@\n def f(x):\n-    return x < 1\n+    return x <= 1"
    moved = "--- a.py\n+++ a.py\n@@ -9,2 +9,2 @@\n-        return x < 1\n+        return x <= 1"
    other = "--- a.py\n+++ a.py\n@@ -1,2 +1,2 @@\n-    return x < 1\n+    return x > 1"
    assert fingerprint(diff) == fingerprint(moved) != fingerprint(other)


@pytest.mark.parametrize(
    ("name", "readable"),
    [
        ("domain.session_rules.x_is_alive__mutmut_6", "domain.session_rules.is_alive"),
        ("domain.credentials.x__without_a_label__mutmut_1", "domain.credentials._without_a_label"),
        (
            "domain.usecases.login.xǁPasswordLoginǁ_decoy__mutmut_4",
            "domain.usecases.login.PasswordLogin._decoy",
        ),
        (
            "domain.errors.xǁCorbadoUnavailableǁ__init____mutmut_1",
            "domain.errors.CorbadoUnavailable.__init__",
        ),
    ],
)
def test_functions_are_named_as_the_code_reads(name: str, readable: str) -> None:
    assert readable_function(name) == readable


def test_entries_need_a_reason_and_comments_are_skipped() -> None:
    text = "# header\n\ndomain.x.f abc123 codec names ignore case\n"
    assert parse_equivalents(text) == [Equivalent(F, "abc123", "codec names ignore case", 3)]
    with pytest.raises(ValueError, match="line 1"):
        parse_equivalents("domain.x.f abc123\n")
