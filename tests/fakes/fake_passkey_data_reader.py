"""Reads `signedPasskeyData` that a test registered beforehand; everything else is refused."""

from domain.errors import PasskeyLoginFailed
from domain.model import PasskeyAssertion


class FakePasskeyDataReader:
    """`remember(token, assertion)` teaches it a token; unknown tokens fail like garbage."""

    def __init__(self) -> None:
        self._known: dict[str, PasskeyAssertion] = {}

    def remember(self, token: str, assertion: PasskeyAssertion) -> None:
        self._known[token] = assertion

    def read(self, signed_passkey_data: str) -> PasskeyAssertion:
        assertion = self._known.get(signed_passkey_data)
        if assertion is None:
            raise PasskeyLoginFailed("not passkey data this fake knows")
        return assertion
