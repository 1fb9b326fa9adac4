"""What a JavaScript package's generated API declares, and whether answers carry it.

`js/declared_types.mjs` reads the package's `.d.ts` with the TypeScript compiler (pinned in
`js/package-lock.json`): every interface, each member's type and whether it is optional, and the
answer type of each API method. `Conformance` holds answers against it: every required member
present, every member of the declared kind (string, number, boolean, one of an enum's values, an
array or map of, another interface), and, when strict, no member the type does not declare.
Across all the answers it is shown, every optional member of every interface it met must appear
at least once: a member that is never sent is one the emulator does not implement.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DECLARED_TYPES = Path(__file__).parent / "js" / "declared_types.mjs"
Type = Any  # "string" | "number" | … | {"ref": name} | {"array": Type} | …


@dataclass(frozen=True)
class Declarations:
    """A `.d.ts`'s interfaces and the answer types of its API classes' methods."""

    interfaces: dict[str, dict[str, dict[str, Any]]]
    operations: dict[str, Type]

    @classmethod
    def read(cls, node: str, dts: Path, *api_classes: str) -> Declarations:
        done = subprocess.run(  # noqa: S603 - node with our own script and fixed arguments
            [node, str(DECLARED_TYPES), str(dts), *api_classes],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        read = json.loads(done.stdout)
        return cls(read["interfaces"], read["operations"])


@dataclass
class Conformance:
    """Answers checked against `declarations`; what is wrong collects in `problems`."""

    declarations: Declarations
    strict: bool
    problems: list[str] = field(default_factory=list)
    _present: dict[str, set[str]] = field(default_factory=dict)

    def check(self, value: Any, declared: Type, where: str) -> None:
        """Record every way `value` (decoded JSON) is not what `declared` says."""
        if declared == "unknown":
            return
        if declared == "void":
            self._expect(value is None, where, "no body")
        elif declared == "string":
            self._expect(isinstance(value, str), where, "a string")
        elif declared == "number":
            number = isinstance(value, int | float) and not isinstance(value, bool)
            self._expect(number, where, "a number")
        elif declared == "boolean":
            self._expect(isinstance(value, bool), where, "a boolean")
        elif "enum" in declared:
            self._expect(value in declared["enum"], where, f"one of {declared['enum']}")
        elif "array" in declared:
            if self._expect(isinstance(value, list), where, "an array"):
                for index, item in enumerate(value):
                    self.check(item, declared["array"], f"{where}[{index}]")
        elif "map" in declared:
            if self._expect(isinstance(value, dict), where, "an object"):
                for key, item in value.items():
                    self.check(item, declared["map"], f"{where}.{key}")
        elif "ref" in declared:
            name = declared["ref"]
            self._members(value, self.declarations.interfaces[name], name, where)
        elif "object" in declared:
            self._members(value, declared["object"], None, where)
        elif "union" in declared:
            self._expect(any(self._fits(value, t) for t in declared["union"]), where, "a match")
        else:
            self.problems.append(f"{where}: cannot read the declared type {declared}")

    def never_sent(self) -> list[str]:
        """The optional members of the interfaces met that no answer carried."""
        return [
            f"{name}.{member}"
            for name, present in self._present.items()
            for member, declared in self.declarations.interfaces[name].items()
            if declared["optional"] and member not in present
        ]

    def _members(
        self, value: Any, members: dict[str, dict[str, Any]], name: str | None, where: str
    ) -> None:
        if not self._expect(isinstance(value, dict), where, f"an object ({name})"):
            return
        present = self._present.setdefault(name, set()) if name is not None else set()
        for member, declared in members.items():
            if member in value:
                present.add(member)
                self.check(value[member], declared["type"], f"{where}.{member}")
            elif not declared["optional"]:
                self.problems.append(f"{where}: lacks {member} ({name} declares it)")
        if self.strict:
            for member in value.keys() - members.keys():
                self.problems.append(f"{where}: {member} is not declared by {name}")

    def _fits(self, value: Any, declared: Type) -> bool:
        trial = Conformance(self.declarations, self.strict)
        trial.check(value, declared, "")
        return not trial.problems

    def _expect(self, holds: bool, where: str, what: str) -> bool:
        if not holds:
            self.problems.append(f"{where}: expected {what}")
        return holds
