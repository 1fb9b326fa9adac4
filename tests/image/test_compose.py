"""compose.yaml: valid for every Compose here, and running the image as CI runs it."""

import os
import shutil
import subprocess

import pytest

from tests.image import compose
from tests.image.engine import ROOT, Docker
from tests.support.servers import unavailable

# compose.yaml's `x-hardened`, which CI runs the image with: any loosening fails here.
HARDENED = [
    "--read-only",
    "--tmpfs=/tmp",
    "--cap-drop=ALL",
    "--security-opt=no-new-privileges:true",
]


def compose_commands(docker: Docker) -> list[list[str]]:
    """Every Compose implementation here: the v2 plugin, and v1 (Debian's docker-compose)."""
    found = []
    if docker.run("compose", "version").returncode == 0:
        found.append([docker.binary, "compose"])
    if legacy := shutil.which("docker-compose"):
        found.append([legacy])
    if not found:
        unavailable("no Compose implementation (Debian: apt-get install docker-compose)")
    return found


def test_compose_file_is_valid_for_every_compose_here(docker: Docker) -> None:
    for command in compose_commands(docker):
        checked = subprocess.run(  # noqa: S603 - a Compose CLI with fixed arguments
            [*command, "--file", str(compose.COMPOSE_FILE), "config", "--quiet"],
            cwd=ROOT,
            env={**os.environ, "CORBADO_PROJECT_ID": "pro-42"},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert checked.returncode == 0, f"{' '.join(command)} config:\n{checked.stderr}"


@pytest.mark.parametrize("name", ["app", "migrate", "emulator"])
def test_compose_runs_the_image_hardened_and_with_secrets_only_in_files(name: str) -> None:
    service = compose.service(name)
    assert service.hardening() == HARDENED
    assert service.definition["image"] == "connect-backend:local"
    environment = service.definition["environment"]
    # compose's Redis has no password: REDIS_URL is no secret there.
    assert not {"CORBADO_API_SECRET", "DATABASE_URL"} & set(environment)
    mounted = {f"/run/secrets/{secret}" for secret in service.definition["secrets"]}
    named = {value for value in environment.values() if value.startswith("/run/secrets/")}
    assert named <= mounted
    assert all(environment[key] in mounted for key in environment if key.endswith("_FILE"))
    # Every process can read a command line (/proc/<pid>/cmdline): no secret, nor one read in.
    entrypoint, command = service.entrypoint_and_command()
    assert [part for part in [*entrypoint, *command] if "secret" in part.lower()] == []
