"""What the image is: its user, entrypoint and health check, and nothing of its build."""

from tests.image.containers import APP_UID, inspect
from tests.image.engine import PEM_CERTIFICATE, Docker, extra_certificates


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
