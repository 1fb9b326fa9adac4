"""The emulator's Frontend API ceremonies, called as Corbado's components call them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.authenticator import SoftAuthenticator


@dataclass(frozen=True)
class Frontend:
    """`http` posts to `<base>/v2/connect/<operation>`; `base` is the Frontend API base path."""

    http: httpx.Client
    base: str = "/frontendapi"

    def post(self, operation: str, body: dict[str, Any]) -> httpx.Response:
        return self.http.post(f"{self.base}/v2/connect/{operation}", json=body)

    def append_options(self, append_token: str) -> dict[str, Any]:
        response = self.post("append/start", {"appendTokenValue": append_token, "loadedMs": 10})
        assert response.status_code == 200, response.text
        return _public_key(response.json()["attestationOptions"])

    def finish_append(self, answer: dict[str, Any]) -> httpx.Response:
        return self.post("append/finish", {"attestationResponse": json.dumps(answer)})

    def append(
        self, authenticator: SoftAuthenticator, append_token: str, **create: Any
    ) -> httpx.Response:
        """A whole registration: start with the token, the authenticator, finish."""
        options = self.append_options(append_token)
        return self.finish_append(authenticator.create(options, **create))

    def login_options(self, identifier: str | None = None) -> dict[str, Any]:
        """For `identifier` (login/start), or discoverable (login/init) when it is None."""
        if identifier is None:
            response = self.post("login/init", {"clientInformation": {}, "flags": {}})
            assert response.status_code == 200, response.text
            return _public_key(response.json()["conditionalUIChallenge"])
        response = self.post(
            "login/start", {"identifier": identifier, "source": "text-field", "loadedMs": 10}
        )
        assert response.status_code == 200, response.text
        return _public_key(response.json()["assertionOptions"])

    def finish_login(self, answer: dict[str, Any]) -> httpx.Response:
        return self.post(
            "login/finish", {"assertionResponse": json.dumps(answer), "isConditionalUI": False}
        )

    def login(
        self, authenticator: SoftAuthenticator, identifier: str | None = None, **get: Any
    ) -> httpx.Response:
        """A whole login: options, the authenticator, finish."""
        return self.finish_login(authenticator.get(self.login_options(identifier), **get))


def _public_key(serialized: str) -> dict[str, Any]:
    options = json.loads(serialized)
    assert options.keys() == {"publicKey"}
    public_key: dict[str, Any] = options["publicKey"]
    return public_key
