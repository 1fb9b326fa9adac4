"""The HTTP server under `connect-backend dev` and `emulator`: granian, as `serve` runs it too.

Bounded request heads, no idle or half-sent connection kept for long, no trust in forwarding
headers, one access line per request (ours), and granian's own lines in our JSON log.
"""

from __future__ import annotations

import http.client
import json
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from entrypoints.cli import DEV_BANNER, EMULATOR_MOUNT, main
from entrypoints.configuration.settings import DEV_API_SECRET, DEV_PROJECT_ID
from tests.cli.processes import BOUND_S, wait_until
from tests.support.servers import free_port
from tests.support.services import LOOPBACK, Server, base_environment, started

HEADER_LIMIT = 16 * 1024


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("dev-server")
    with started(["dev"], base_environment(PORT=str(free_port())), workdir) as server:
        yield server


def exchange(port: int, request: bytes) -> bytes:
    """Send `request` on a fresh connection; everything the server sends until it closes."""
    with socket.create_connection((LOOPBACK, port), timeout=BOUND_S) as connection:
        connection.sendall(request)
        return read_until_closed(connection)


def read_until_closed(connection: socket.socket) -> bytes:
    connection.settimeout(BOUND_S)
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def get_with_header(port: int, size: int) -> bytes:
    padding = b"X-Padding: " + b"a" * size + b"\r\n"
    return healthz(port, padding)


def healthz(port: int, headers: bytes = b"") -> bytes:
    # dev answers only its loopback names, with its port.
    host = f"Host: {LOOPBACK}:{port}\r\n".encode()
    return b"GET /healthz HTTP/1.1\r\n" + host + headers + b"Connection: close\r\n\r\n"


def test_a_request_head_over_16_kib_is_refused_and_its_connection_closed(dev: Server) -> None:
    answer = exchange(dev.port, get_with_header(dev.port, HEADER_LIMIT + 1024))
    assert answer.startswith(b"HTTP/1.1 431 ")


def test_a_request_head_under_the_limit_is_served(dev: Server) -> None:
    answer = exchange(dev.port, get_with_header(dev.port, HEADER_LIMIT - 2048))
    assert answer.startswith(b"HTTP/1.1 200 ")


def test_answers_name_no_server_software(dev: Server) -> None:
    answer = exchange(dev.port, healthz(dev.port))
    head = answer.split(b"\r\n\r\n")[0].lower().split(b"\r\n")
    assert [line for line in head if line.startswith(b"server:")] == [b"server: connect-backend"]


def test_another_host_name_reaches_nothing(dev: Server) -> None:
    # DNS rebinding: a page on the attacker's name, resolved to 127.0.0.1, is same-origin.
    rebound = {"Host": f"rebound.example:{dev.port}"}
    minted = httpx.post(
        f"{dev.base_url}{EMULATOR_MOUNT}/v2/_emulator/passkeyLogin",
        json={"identifier": "jane@example.com"},
        headers=rebound,
    )
    assert minted.status_code == 400
    assert minted.json()["error"] == "host_not_allowed"
    assert httpx.get(f"http://localhost:{dev.port}/healthz").status_code == 200


def test_silent_half_sent_and_idle_connections_are_closed_by_the_server(dev: Server) -> None:
    silent = socket.create_connection((LOOPBACK, dev.port))
    half_sent = socket.create_connection((LOOPBACK, dev.port))
    half_sent.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    idle = http.client.HTTPConnection(LOOPBACK, dev.port, timeout=BOUND_S)
    idle.request("GET", "/healthz")
    assert idle.getresponse().read() == b'{"status":"ok"}'
    assert idle.sock is not None, "the connection is kept alive after the answer"
    with silent, half_sent, idle.sock:
        # Each read ends (EOF) only because the server closes: else it times out and fails.
        assert read_until_closed(silent) == b""
        assert not read_until_closed(half_sent).startswith(b"HTTP/1.1 200")
        assert read_until_closed(idle.sock) == b""


def test_forwarding_headers_are_not_trusted_and_the_access_line_is_ours(dev: Server) -> None:
    request_id = uuid.uuid4().hex
    headers = {"X-Request-ID": request_id, "X-Forwarded-For": "203.0.113.7", "Forwarded": "for=x"}
    assert httpx.get(f"{dev.base_url}/auth/me", headers=headers).status_code == 401

    def access_lines() -> list[dict[str, object]]:
        return [r for r in dev.json_lines() if r.get("request_id") == request_id]

    wait_until(lambda: bool(access_lines()), "the request's log lines")
    assert all(record["client_ip"] == LOOPBACK for record in access_lines())
    loggers = [str(record["logger"]) for record in access_lines()]
    assert loggers.count("connect_backend.access") == 1
    assert not [name for name in loggers if name.startswith("granian")]


def test_granian_logs_json_through_our_pipeline(dev: Server) -> None:
    base = dev.base_url
    demo = base.replace(LOOPBACK, "localhost") + "/"
    banner = DEV_BANNER.format(base=base, emulator=base + EMULATOR_MOUNT + "/", demo=demo)
    lines = dev.log().replace(banner, "").splitlines()
    records = [json.loads(line) for line in lines if line]
    assert all({"event", "level", "logger", "timestamp"} <= record.keys() for record in records)
    granian = {record["event"] for record in records if record["logger"].startswith("_granian")}
    assert f"Listening at: {base}" in granian
    assert "Started worker-1" in granian


@pytest.mark.parametrize("source", ["flag", "variable", "file"])
def test_emulator_serves_the_project_and_secret_it_was_given(tmp_path: Path, source: str) -> None:
    """The secret by `--api-secret`, or, kept off the command line, by `CORBADO_API_SECRET` or
    `CORBADO_API_SECRET_FILE`."""
    port = free_port()
    args = ["emulator", "--host", LOOPBACK, "--port", str(port), "--project-id", "pro-42"]
    env = base_environment(PORT=str(port))
    if source == "flag":
        args += ["--api-secret", "corbado1_given"]
    elif source == "variable":
        env["CORBADO_API_SECRET"] = "corbado1_given"
    else:
        (tmp_path / "corbado-api-secret").write_text("corbado1_given\n", encoding="utf-8")
        env["CORBADO_API_SECRET_FILE"] = str(tmp_path / "corbado-api-secret")
    body = {"type": "passkey-append", "data": {"identifier": "j@example.com", "displayName": "J"}}

    def create_token(base_url: str, credentials: tuple[str, str]) -> httpx.Response:
        return httpx.post(f"{base_url}/v2/connectTokens", json=body, auth=credentials)

    def answers(base_url: str) -> bool:
        try:
            create_token(base_url, ("", ""))
        except httpx.TransportError:
            return False
        return True

    with started(args, env, tmp_path, ready=answers) as emulator:
        given = create_token(emulator.base_url, ("pro-42", "corbado1_given"))
        assert given.status_code == 200
        assert given.json()["secret"].startswith("ctk1_")
        assert create_token(emulator.base_url, (DEV_PROJECT_ID, DEV_API_SECRET)).status_code == 401


def refuse_to_serve(*_: object) -> int:
    pytest.fail("the emulator started (in the test's own process)")


@pytest.mark.parametrize("variable", ["CORBADO_API_SECRET", "CORBADO_API_SECRET_FILE"])
def test_emulator_refuses_its_secret_from_the_flag_and_a_variable_in_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
) -> None:
    (tmp_path / "secret").write_text("corbado1_file", encoding="utf-8")
    monkeypatch.delenv("CORBADO_API_SECRET", raising=False)
    monkeypatch.delenv("CORBADO_API_SECRET_FILE", raising=False)
    secret = str(tmp_path / "secret") if variable.endswith("_FILE") else "corbado1_variable"
    monkeypatch.setenv(variable, secret)
    monkeypatch.setattr("entrypoints.cli.run", refuse_to_serve)

    assert main(["emulator", "--port", str(free_port()), "--api-secret", "corbado1_flag"]) == 2

    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("connect-backend emulator: --api-secret: is given together with ")
    assert "corbado1_" not in line


def test_emulator_refuses_its_secret_given_in_both_variable_forms_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "secret").write_text("corbado1_file", encoding="utf-8")
    monkeypatch.setenv("CORBADO_API_SECRET", "corbado1_variable")
    monkeypatch.setenv("CORBADO_API_SECRET_FILE", str(tmp_path / "secret"))
    monkeypatch.setattr("entrypoints.cli.run", refuse_to_serve)

    assert main(["emulator", "--port", str(free_port())]) == 2

    assert capsys.readouterr().err.strip().splitlines() == [
        "connect-backend emulator: CORBADO_API_SECRET_FILE: is set together with "
        "CORBADO_API_SECRET; set only one"
    ]
