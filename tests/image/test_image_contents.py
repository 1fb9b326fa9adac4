"""What the image is: its user, entrypoint and health check, nothing of its build, and no Python
package outside the lock's runtime set (the set `make audit` checks)."""

import json
import subprocess
import tomllib
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.image.containers import APP_UID, inspect
from tests.image.engine import (
    BUILD_S,
    IMAGE,
    PEM_CERTIFICATE,
    ROOT,
    Docker,
    build_image,
    extra_certificates,
)


def test_the_image_runs_as_its_own_user_with_a_healthcheck(docker: Docker, image: str) -> None:
    config = inspect(docker, image)["Config"]
    assert config["User"] == f"{APP_UID}:{APP_UID}"
    assert config["Entrypoint"] == ["connect-backend"]
    assert config["Cmd"] == ["serve"]
    assert config["StopSignal"] == "SIGTERM"
    assert "/healthz" in " ".join(config["Healthcheck"]["Test"])


def test_the_image_holds_no_compiler_no_build_tool_and_no_build_certificate(
    docker: Docker, base: str, image: str
) -> None:
    probe = "for c in gcc cc c++ make uv; do command -v $c; done; ls -d /build /src 2>&1; true"
    found = docker.check("run", "--rm", "--network=none", "--entrypoint=sh", image, "-c", probe)
    assert found.splitlines() == [
        "ls: cannot access '/build': No such file or directory",
        "ls: cannot access '/src': No such file or directory",
    ]
    history = docker.check("history", "--no-trunc", "--format={{.CreatedBy}}", image)
    metadata = history + docker.check("image", "inspect", image)
    assert "BUILD_CA_CERTS" not in metadata
    for certificate in PEM_CERTIFICATE.findall(extra_certificates(docker, base)):
        assert certificate.splitlines()[1] not in metadata


# Run in the image as root: every installed distribution anywhere on its file system, and the
# values environment markers are evaluated against (packaging's default_environment()).
LIST_DISTRIBUTIONS = r"""
import email, json, os, platform, sys
from importlib.metadata import PathDistribution
from pathlib import Path

found = []
for top, directories, files in os.walk("/"):
    if top in ("/proc", "/sys", "/dev"):
        directories[:] = []
        continue
    for name in directories + files:
        if name.endswith((".dist-info", ".egg-info")):
            path = Path(top, name)
            meta = (
                PathDistribution(path).metadata
                if path.is_dir()
                else email.message_from_string(path.read_text())
            )
            found.append([str(path), meta["Name"], meta["Version"]])
environment = {
    "implementation_name": sys.implementation.name,
    "implementation_version": platform.python_version(),
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}
print(json.dumps({"distributions": found, "environment": environment}))
"""
# A base as the official image is: pip and setuptools installed in the interpreter's own
# site-packages (Debian's is /usr/local/lib/python3.11/dist-packages), importable outside any venv.
BASE_WITH_PIP = """\
FROM {base}
RUN python3 -m venv /tmp/pip \\
    && /tmp/pip/bin/pip install --quiet --no-index --find-links /usr/share/python-wheels \\
       --target /usr/local/lib/python3.11/dist-packages \\
       pip setuptools \\
    && rm -rf /tmp/pip \\
    && python3 -m pip --version
"""


def python_packages(docker: Docker, image: str) -> tuple[set[tuple[str, str]], set[str], Any]:
    """The image's distributions (name, version), the paths they are at, its marker values."""
    listed = json.loads(
        docker.check(
            "run",
            "--rm",
            "--network=none",
            "--user=0",
            "--entrypoint=python3",
            image,
            "-c",
            LIST_DISTRIBUTIONS,
        )
    )
    found: set[tuple[str, str]] = {
        (canonicalize_name(name), str(Version(version)))
        for _, name, version in listed["distributions"]
    }
    return found, {path for path, _, _ in listed["distributions"]}, listed["environment"]


def runtime_set(environment: dict[str, str]) -> set[tuple[str, str]]:
    """What `uv sync --no-dev` installs where markers see `environment`: the lock's runtime
    packages (the ones `make audit` checks) and the project itself."""
    uv = ROOT / ".tools" / "bin" / "uv"
    export = subprocess.run(  # noqa: S603 - uv with fixed arguments
        [str(uv), "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes",
         "--no-header", "--no-annotate"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    pins = set()
    for line in export.stdout.splitlines():
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate(environment):
            [pinned] = requirement.specifier
            pins.add((canonicalize_name(requirement.name), str(Version(pinned.version))))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return pins | {(project["name"], str(Version(project["version"])))}


def assert_exactly_the_runtime_set(docker: Docker, image: str) -> None:
    found, paths, environment = python_packages(docker, image)
    assert found == runtime_set(environment)
    assert {path for path in paths if not path.startswith("/app/.venv/")} == set()


def test_the_images_python_packages_are_exactly_the_locks_runtime_set(
    docker: Docker, image: str
) -> None:
    assert_exactly_the_runtime_set(docker, image)


def test_a_base_with_pip_and_setuptools_passes_on_none_of_them(docker: Docker, base: str) -> None:
    with_pip = f"{base}-with-pip"
    docker.check(
        "build", "--network=none", f"--tag={with_pip}", "-",
        stdin=BASE_WITH_PIP.format(base=base), timeout=BUILD_S,
    )  # fmt: skip
    found, _, _ = python_packages(docker, with_pip)
    assert {"pip", "setuptools"} <= {name for name, _ in found}
    image = build_image(docker, with_pip, tag=f"{IMAGE}-base-with-pip")
    try:
        assert_exactly_the_runtime_set(docker, image)
    finally:
        docker.run("rmi", image, with_pip)
