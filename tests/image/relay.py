"""Corbado, as the containerised service sees it: the emulator behind a relay with a gate.

Every call is relayed to the emulator unchanged, so logins and connect tokens work as in the
README; while the gate is closed, `POST /v2/connectTokens` is held until the test opens it, so a
request is in flight for as long as the test needs (the order of events is fixed, not timed).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

HELD_PATH = "/v2/connectTokens"
HOLD_BOUND_S = 30.0
# Hop-by-hop, or recomputed for the relayed body.
NOT_RELAYED = {
    "host",
    "connection",
    "keep-alive",
    "content-length",
    "content-encoding",
    "transfer-encoding",
}


class GatedRelay:
    """The relay; `base_url` is what the service gets as `CORBADO_BACKEND_API`."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.entered = threading.Event()
        self._open = threading.Event()
        self._open.set()
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                relay._relay(self)

            def do_POST(self) -> None:
                relay._relay(self)

            def do_DELETE(self) -> None:
                relay._relay(self)

            def log_message(self, *_: object) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    @property
    def base_url(self) -> str:
        """Where the relay listens, on loopback."""
        return f"http://127.0.0.1:{self.http.server_address[1]}"

    def close_gate(self) -> None:
        """Hold the next connect-token calls until `open_gate`."""
        self.entered.clear()
        self._open.clear()

    def open_gate(self) -> None:
        """Let held calls through, and relay every later one at once."""
        self._open.set()

    def _relay(self, request: BaseHTTPRequestHandler) -> None:
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        if request.command == "POST" and request.path == HELD_PATH and not self._open.is_set():
            self.entered.set()
            self._open.wait(HOLD_BOUND_S)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in NOT_RELAYED}
        answer = httpx.request(
            request.command, self.upstream + request.path, content=body, headers=headers
        )
        request.send_response(answer.status_code)
        for name, value in answer.headers.items():
            if name.lower() not in NOT_RELAYED:
                request.send_header(name, value)
        request.send_header("Content-Length", str(len(answer.content)))
        request.end_headers()
        request.wfile.write(answer.content)


@contextmanager
def gated_relay(upstream: str) -> Iterator[GatedRelay]:
    """A running relay to `upstream`, its gate open; stopped (gate opened) on leaving."""
    relay = GatedRelay(upstream)
    thread = threading.Thread(target=relay.http.serve_forever, daemon=True)
    thread.start()
    try:
        yield relay
    finally:
        relay.open_gate()
        relay.http.shutdown()
        relay.http.server_close()
        thread.join(HOLD_BOUND_S)
