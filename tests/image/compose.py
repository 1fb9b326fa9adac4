"""compose.yaml's services as `docker run` options: how CI runs them without Compose.

`compose up` needs the `postgres` and `redis` images, which CI may not be able to pull, and a
container network, which an engine without a bridge does not have. So CI runs our image's
services with what compose.yaml gives them (hardening, secrets mounted as Compose mounts them,
entrypoint, command, the literal variables) and puts loopback addresses where compose names
its services.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.image.engine import ROOT

COMPOSE_FILE = ROOT / "compose.yaml"
SECRETS_MOUNT = "/run/secrets"


@dataclass(frozen=True, slots=True)
class ComposeService:
    """One service of compose.yaml, as written (before interpolation)."""

    name: str
    definition: dict[str, Any]
    secret_files: dict[str, str]

    def hardening(self) -> list[str]:
        """Its read-only root, tmpfs, capabilities and security options."""
        options = ["--read-only"] if self.definition.get("read_only") else []
        options += [f"--tmpfs={path}" for path in self.definition.get("tmpfs", [])]
        options += [f"--cap-drop={cap}" for cap in self.definition.get("cap_drop", [])]
        options += [f"--security-opt={opt}" for opt in self.definition.get("security_opt", [])]
        return options

    def secret_mounts(self, directory: Path, replaced: Mapping[str, Path]) -> list[str]:
        """Its secrets, read-only at /run/secrets/<name>, from `directory` (as `deploy/make-secrets`
        names the files) or, for the names in `replaced`, from the file given there."""
        mounts = []
        for secret in self.definition.get("secrets", []):
            source = replaced.get(secret, directory / self.secret_files[secret])
            mounts.append(f"--volume={source}:{SECRETS_MOUNT}/{secret}:ro")
        return mounts

    def literal_environment(self, replaced: Collection[str] = ()) -> list[str]:
        """Its variables whose values Compose does not interpolate, as `--env` options; those
        named in `replaced` left out (the caller gives them)."""
        environment: dict[str, str] = self.definition.get("environment", {})
        return [
            f"--env={name}={value}"
            for name, value in environment.items()
            if "$" not in value and name not in replaced
        ]

    def entrypoint_and_command(self) -> tuple[list[str], list[str]]:
        """Its entrypoint (empty: the image's) and command, `$$` unescaped as Compose does."""
        entrypoint: list[str] = self.definition.get("entrypoint", [])
        command: list[str] = [part.replace("$$", "$") for part in self.definition["command"]]
        return entrypoint, command


def load() -> dict[str, Any]:
    """compose.yaml, parsed (YAML merge keys resolved)."""
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    return loaded


def service(name: str) -> ComposeService:
    """The service `name` of compose.yaml."""
    compose = load()
    files = {secret: Path(spec["file"]).name for secret, spec in compose["secrets"].items()}
    return ComposeService(name, compose["services"][name], files)
