"""Graceful shutdown: a request in flight when shutdown begins still gets its answer.

`connect-backend serve` runs as production runs it (granian, a worker process); the request is
`createConnectToken`, held inside a stand-in for Corbado until the test lets it go, so the order
of events is fixed, not timed.
"""

import json
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.cli.processes import BOUND_S, refuses_connections, wait_until
from tests.support.servers import free_port
from tests.support.services import LOOPBACK, base_environment, run_command, started

PASSWORD = "correct horse battery"
CONNECT_TOKEN = "ctk1_held-until-the-gate-opens"


class GatedCorbado:
    """Corbado's `POST /v2/connectTokens`, answered only once the test opens the gate."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self._opened = threading.Event()
        gate = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                gate.entered.set()
                gate._opened.wait(BOUND_S)
                body = json.dumps(
                    {"id": "ctk-1", "secret": CONNECT_TOKEN, "expires": 4102444800}
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                pass

        self.http = ThreadingHTTPServer((LOOPBACK, 0), Handler)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.http.server_address[1]}"

    def open(self) -> None:
        self._opened.set()


@contextmanager
def gated_corbado() -> Iterator[GatedCorbado]:
    corbado = GatedCorbado()
    thread = threading.Thread(target=corbado.http.serve_forever, daemon=True)
    thread.start()
    try:
        yield corbado
    finally:
        corbado.open()
        corbado.http.shutdown()
        corbado.http.server_close()
        thread.join(BOUND_S)


def serve_environment(workdir: Path, corbado_url: str) -> dict[str, str]:
    env = base_environment(
        PORT=str(free_port()),
        DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'db.sqlite3'}",
        SESSION_ISSUER="https://auth.example.com",
        SESSION_AUDIENCE="example-app",
        CORBADO_PROJECT_ID="pro-1",
        CORBADO_API_SECRET="corbado1_test",
        CORBADO_BACKEND_API=corbado_url,
        # The gate holds the call: no timeout may end it before the test opens it.
        CORBADO_TIMEOUT_S="20",
        REQUEST_TIMEOUT_S="25",
        ALLOW_REGISTRATION="true",
    )
    keys = workdir / "keys.pem"
    keys.write_text(run_command(["keys", "generate"], env, workdir), encoding="ascii")
    env["SESSION_SIGNING_KEYS"] = str(keys)
    run_command(["migrate"], env, workdir)
    return env


def access_token(base_url: str) -> str:
    credentials = {"email": "jane@example.com", "password": PASSWORD}
    user = {**credentials, "displayName": "Jane"}
    assert httpx.post(f"{base_url}/auth/register", json=user).status_code == 201
    login = httpx.post(f"{base_url}/auth/login", json=credentials)
    assert login.status_code == 200, login.text
    token: str = login.json()["accessToken"]
    return token


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_request_in_flight_completes_when_shutdown_begins(
    tmp_path: Path, signum: signal.Signals
) -> None:
    with gated_corbado() as corbado:
        env = serve_environment(tmp_path, corbado.url)
        with started(["serve"], env, tmp_path) as serve:
            bearer = {"Authorization": f"Bearer {access_token(serve.base_url)}"}
            with ThreadPoolExecutor(max_workers=1) as pool:
                in_flight = pool.submit(
                    httpx.post,
                    f"{serve.base_url}/auth/createConnectToken",
                    json={"connectTokenType": "passkey-append"},
                    headers=bearer,
                    timeout=BOUND_S,
                )
                assert corbado.entered.wait(BOUND_S), "the request never reached Corbado"

                serve.process.send_signal(signum)
                wait_until(lambda: refuses_connections(serve.port), "shutdown to stop accepting")
                assert not in_flight.done()
                assert serve.process.poll() is None, "serve must wait for the request in flight"

                corbado.open()
                response = in_flight.result(timeout=BOUND_S)
            assert response.status_code == 200
            assert response.json() == {"connectToken": CONNECT_TOKEN}
            assert serve.process.wait(BOUND_S) == 0
            records = serve.json_lines()
    events = [record["event"] for record in records]
    assert "Stopped worker-1" in events
    assert not [record for record in records if record["level"] in ("error", "critical")]
