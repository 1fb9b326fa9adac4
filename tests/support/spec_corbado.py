"""A scripted Corbado Backend API for `httpx.MockTransport`: the account operations, answered as
Corbado's Backend API spec (v2) describes them and as the live API was seen to.

Only what `CorbadoAccounts` calls: ConnectTokenDelete, IdentifierList (filtered on
`identifierValue:eq:`, paged), UserDelete, CredentialList (paged) and CredentialDelete. Where
the live API differs from the spec it answers like the live API: an unknown user is 400
`validation_error` on `userID` ("does not exist", seen by corbado-python's tests), not 404.
Pages hold at most `page_size` items, fewer than asked, so every paged read takes several.
Tests arrange its state directly (`add_user`, `add_passkey`, `add_connect_token`).
"""

from __future__ import annotations

import base64
import itertools
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, unquote_plus

import httpx

_USER = re.compile(r"^/v2/users/(?P<user>[^/]+)$")
_CREDENTIALS = re.compile(r"^/v2/users/(?P<user>[^/]+)/credentials$")
_CREDENTIAL = re.compile(r"^/v2/users/(?P<user>[^/]+)/credentials/(?P<credential>[^/]+)$")
_CONNECT_TOKEN = re.compile(r"^/v2/connectTokens/(?P<token>[^/]+)$")
_FILTER = "identifierValue:eq:"


@dataclass
class SpecCorbado:
    """Corbado's account state for one project, behind its Basic credentials."""

    project_id: str
    api_secret: str
    page_size: int = 1
    identifiers: dict[str, str] = field(default_factory=dict)  # value -> usr-...
    passkeys: dict[str, tuple[str, int]] = field(default_factory=dict)  # cre-... -> (usr, ms)
    connect_tokens: set[str] = field(default_factory=set)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # Arranging -----------------------------------------------------------------------------

    def add_user(self, identifier: str) -> str:
        """The user holding the email identifier `identifier`, created if there is none."""
        if identifier not in self.identifiers:
            self.identifiers[identifier] = f"usr-{next(self._ids)}"
        return self.identifiers[identifier]

    def add_passkey(self, identifier: str, created_ms: int) -> str:
        """A passkey of `identifier`'s user (created if new), appended at `created_ms`."""
        credential_id = f"cre-{next(self._ids)}"
        self.passkeys[credential_id] = (self.add_user(identifier), created_ms)
        return credential_id

    def add_connect_token(self) -> str:
        """A live connect token's id."""
        token_id = f"ctk-{next(self._ids)}"
        self.connect_tokens.add(token_id)
        return token_id

    # Answering -----------------------------------------------------------------------------

    async def handle(self, request: httpx.Request) -> httpx.Response:
        """The answer to one request, as the spec (or the live API) gives it."""
        expected = base64.b64encode(f"{self.project_id}:{self.api_secret}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            return _error(401, "login_error")
        path = request.url.path
        if request.method == "GET" and path == "/v2/identifiers":
            return self._identifier_list(request)
        if match := _CONNECT_TOKEN.match(path):
            return self._delete_connect_token(request, unquote(match["token"]))
        if match := _USER.match(path):
            return self._delete_user(request, unquote(match["user"]))
        if match := _CREDENTIALS.match(path):
            return self._credential_list(request, unquote(match["user"]))
        if match := _CREDENTIAL.match(path):
            return self._delete_credential(
                request, unquote(match["user"]), unquote(match["credential"])
            )
        return _error(404, "not_found")

    def _identifier_list(self, request: httpx.Request) -> httpx.Response:
        filters = request.url.params.get_list("filter[]")
        if len(filters) != 1 or not filters[0].startswith(_FILTER):
            return _error(400, "validation_error")
        # Corbado decodes a filter's value once more than the query string does ("+" is a space).
        value = unquote_plus(filters[0].removeprefix(_FILTER))
        found: list[dict[str, object]] = [
            {
                "identifierID": f"ide-{user_id}",
                "type": "email",
                "value": held,
                "status": "primary",
                "userID": user_id,
            }
            for held, user_id in self.identifiers.items()
            if held == value
        ]
        shown, paging = self._page(request, found)
        return httpx.Response(200, json={"identifiers": shown, "paging": paging})

    def _credential_list(self, request: httpx.Request, user_id: str) -> httpx.Response:
        if request.method != "GET":
            return _error(405, "method_not_allowed")
        if user_id not in self.identifiers.values():
            return _user_does_not_exist()
        found = [
            _credential(credential_id, created_ms)
            for credential_id, (owner, created_ms) in self.passkeys.items()
            if owner == user_id
        ]
        shown, paging = self._page(request, found)
        return httpx.Response(200, json={"credentials": shown, "paging": paging})

    def _delete_connect_token(self, request: httpx.Request, token_id: str) -> httpx.Response:
        if request.method != "DELETE":
            return _error(405, "method_not_allowed")
        if token_id not in self.connect_tokens:
            return _error(404, "not_found")
        self.connect_tokens.discard(token_id)
        return _generic()

    def _delete_user(self, request: httpx.Request, user_id: str) -> httpx.Response:
        if request.method != "DELETE":
            return _error(405, "method_not_allowed")
        if user_id not in self.identifiers.values():
            return _user_does_not_exist()
        self.identifiers = {v: u for v, u in self.identifiers.items() if u != user_id}
        self.passkeys = {c: p for c, p in self.passkeys.items() if p[0] != user_id}
        return _generic()

    def _delete_credential(
        self, request: httpx.Request, user_id: str, credential_id: str
    ) -> httpx.Response:
        if request.method != "DELETE":
            return _error(405, "method_not_allowed")
        passkey = self.passkeys.get(credential_id)
        if passkey is None or passkey[0] != user_id:
            return _error(404, "not_found")
        del self.passkeys[credential_id]
        return _generic()

    def _page(
        self, request: httpx.Request, items: list[dict[str, object]]
    ) -> tuple[list[dict[str, object]], dict[str, int]]:
        page = int(request.url.params.get("page", "1"))
        size = min(int(request.url.params.get("pageSize", "10")), self.page_size)
        total_pages = max(1, -(-len(items) // size))
        shown = items[(page - 1) * size : page * size]
        return shown, {"page": page, "totalPages": total_pages, "totalItems": len(items)}


def _credential(credential_id: str, created_ms: int) -> dict[str, object]:
    # Every field the spec's `credential` requires.
    return {
        "id": credential_id,
        "credentialID": f"raw-{credential_id}",
        "attestationType": "none",
        "transport": ["internal", "hybrid"],
        "backupEligible": True,
        "backupState": True,
        "authenticatorAAGUID": "00000000-0000-0000-0000-000000000000",
        "aaguidDetails": {"aaguid": "", "name": "", "iconLight": "", "iconDark": ""},
        "sourceOS": "macOS",
        "sourceBrowser": "Safari",
        "lastUsed": "2025-01-01T00:00:00",
        "lastUsedMs": created_ms,
        "created": "2025-01-01T00:00:00",
        "createdMs": created_ms,
        "status": "active",
        "tags": [],
    }


def _generic() -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "httpStatusCode": 200,
            "message": "OK",
            "requestData": {"requestID": "req-1", "link": ""},
            "runtime": 0.001,
        },
    )


def _error(status: int, error_type: str, **error: object) -> httpx.Response:
    return httpx.Response(
        status,
        json={
            "httpStatusCode": status,
            "message": error_type,
            "requestData": {"requestID": "req-1", "link": ""},
            "runtime": 0.001,
            "error": {"type": error_type, **error},
        },
    )


def _user_does_not_exist() -> httpx.Response:
    return _error(
        400, "validation_error", validation=[{"field": "userID", "message": "does not exist"}]
    )
