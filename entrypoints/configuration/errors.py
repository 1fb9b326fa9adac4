"""The one error of configuration: every setting, secret file and command-line check raises it."""

from __future__ import annotations


class ConfigError(ValueError):
    """A missing or unusable setting; `variable` names it for the one-line error of `serve`."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable
