"""A Docker engine for the image tests, the base image CI builds on, and the image itself.

The engine is the one that answers, or a `dockerd` started here (host networking only, no
bridge, no iptables) and stopped again afterwards. Public registries may be out of reach, so
the base is a stand-in made from Debian's packages (`.ci/debian-python-image`), kept in the
engine under a tag naming the script's hash. Where any of this cannot happen the tests skip,
except under CI=true, where they fail (`tests.support.servers.unavailable`).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.servers import ServerUnavailable, unavailable

ROOT = Path(__file__).resolve().parents[2]
BASE_SCRIPT = ROOT / ".ci" / "debian-python-image"
IMAGE = "connect-backend:ci"
ENGINE_START_S = 60.0
ENGINE_STOP_S = 60.0
BUILD_S = 900.0
COMMAND_S = 120.0
POLL_S = 0.1
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
# Where the host's clients are told to find the certificate authorities it trusts.
CA_BUNDLE_VARIABLES = ("SSL_CERT_FILE", "PIP_CERT", "REQUESTS_CA_BUNDLE")
PEM_CERTIFICATE = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)


class DockerFailed(AssertionError):
    """A docker command the test relies on failed; its output says why."""


@dataclass(frozen=True, slots=True)
class Docker:
    """The docker CLI, talking to an engine that answers."""

    binary: str

    def run(
        self, *args: str, stdin: str | None = None, timeout: float = COMMAND_S
    ) -> subprocess.CompletedProcess[str]:
        """`docker <args>`, whatever its exit code."""
        return subprocess.run(  # noqa: S603 - the docker CLI with arguments built by the tests
            [self.binary, *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            # The classic builder: the Dockerfile must build without BuildKit, and it needs no
            # plugin that this machine's docker may lack.
            env={**os.environ, "DOCKER_BUILDKIT": "0"},
        )

    def check(self, *args: str, stdin: str | None = None, timeout: float = COMMAND_S) -> str:
        """`docker <args>`'s stdout; `DockerFailed` with its output when it exits non-zero."""
        done = self.run(*args, stdin=stdin, timeout=timeout)
        if done.returncode != 0:
            raise DockerFailed(
                f"docker {' '.join(args[:3])} ... exited {done.returncode}:\n"
                f"{done.stdout[-3000:]}{done.stderr[-3000:]}"
            )
        return done.stdout

    def answers(self) -> bool:
        """Whether an engine answers."""
        return self.run("version", "--format", "{{.Server.Version}}", timeout=10).returncode == 0

    def has_image(self, tag: str) -> bool:
        """Whether the engine holds an image tagged `tag`."""
        return self.run("image", "inspect", tag).returncode == 0


@contextmanager
def docker_engine() -> Iterator[Docker]:
    """The engine that answers, or one started here and stopped on leaving."""
    binary = shutil.which("docker")
    if binary is None:
        unavailable("the docker CLI is not installed (Debian: apt-get install docker.io)")
    docker = Docker(binary)
    if docker.answers():
        yield docker
        return
    dockerd = shutil.which("dockerd")
    if dockerd is None:
        unavailable("no Docker engine answers and dockerd is not installed (docker.io)")
    if os.geteuid() != 0:
        unavailable("no Docker engine answers, and starting dockerd needs root")
    with tempfile.TemporaryDirectory(prefix="cb-dockerd-") as directory:
        log_path = Path(directory) / "dockerd.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(  # noqa: S603 - a fixed binary and fixed arguments
                [dockerd, "--iptables=false", "--bridge=none"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            deadline = time.monotonic() + ENGINE_START_S
            while not docker.answers():
                if process.poll() is not None or time.monotonic() > deadline:
                    tail = log_path.read_text(errors="replace")[-3000:]
                    raise ServerUnavailable(f"dockerd did not start:\n{tail}")
                time.sleep(POLL_S)
            yield docker
        finally:
            process.terminate()
            try:
                process.wait(ENGINE_STOP_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def base_image(docker: Docker) -> str:
    """The Debian stand-in for the Python base, made by `.ci/debian-python-image` if missing."""
    digest = hashlib.sha256(BASE_SCRIPT.read_bytes()).hexdigest()[:12]
    tag = f"connect-backend-ci/python:bookworm-{digest}"
    if docker.has_image(tag):
        return tag
    if os.geteuid() != 0:
        unavailable(f"the base image {tag} is missing, and debootstrap needs root")
    if shutil.which("debootstrap") is None:
        unavailable(f"the base image {tag} is missing and debootstrap is not installed")
    made = subprocess.run(  # noqa: S603 - our own script
        [str(BASE_SCRIPT), tag], capture_output=True, text=True, timeout=BUILD_S, check=False
    )
    if made.returncode != 0:
        raise ServerUnavailable(f"{BASE_SCRIPT.name} failed:\n{made.stderr[-3000:]}")
    return tag


def build_image(docker: Docker, base: str, tag: str = IMAGE) -> str:
    """The project's image from the repository's Dockerfile, on `base`, tagged `tag`."""
    docker.check(
        "build",
        # Containers have the host's network only: the engine runs without a bridge.
        "--network=host",
        f"--build-arg=PYTHON_IMAGE={base}",
        f"--build-arg=BUILD_CA_CERTS={extra_certificates(docker, base)}",
        f"--tag={tag}",
        str(ROOT),
        timeout=BUILD_S,
    )
    return tag


def extra_certificates(docker: Docker, base: str) -> str:
    """The certificate authorities the host trusts and `base` does not, as PEM.

    Behind a TLS-inspecting proxy that is the proxy's own authority; the build stage needs it to
    reach the package index, and only the build stage gets it.
    """
    bundle = next(
        (
            Path(os.environ[name])
            for name in CA_BUNDLE_VARIABLES
            if name in os.environ and Path(os.environ[name]).is_file()
        ),
        HOST_CA_BUNDLE,
    )
    if not bundle.is_file():
        return ""
    inside = docker.check(
        "run", "--rm", "--network=none", "--entrypoint=cat", base, str(HOST_CA_BUNDLE)
    )
    known = set(PEM_CERTIFICATE.findall(inside))
    host = PEM_CERTIFICATE.findall(bundle.read_text(encoding="ascii", errors="replace"))
    return "\n".join(certificate for certificate in host if certificate not in known)
