"""A local stand-in for Corbado, for dev and tests: a real passkey relying party for
`localhost`, and the Backend API a backend calls, as Corbado's Backend API v2 spec describes it
(`backend_api_public_v2.yml` with its `common.yml`, published in Corbado's SDK repositories, such
as github.com/corbado/corbado-python, `scripts/`).

- Backend API under `/v2` (`backend.py` lists the operations), Basic auth checked before
  routing, errors in the `errorRsp` envelope (`envelope.py`);
- the Frontend API's Corbado Connect ceremonies under `/frontendapi/v2/connect` (`frontend.py`),
  callable from pages on loopback origins (`cors.py`), verified with py_webauthn
  (`registration.py`, `authentication.py`, decision 0011) for the relying party
  `relying_party.py` describes, on the challenges `challenges.py` keeps;
- the open `POST /v2/_emulator/passkeyLogin` `{"identifier"}`, which mints the
  `signedPasskeyData` of a login without a browser, with a stand-in credential.

`directory.py` keeps the users, identifiers and passkeys (`records.py`), in a JSON file when
given one (`state_file.py`); `passkeys.py` mints and verifies `signedPasskeyData` (the order of
its checks), `connect_tokens.py` the tokens, `listing.py` the list parameters, `schemas.py` the
bodies.
"""

from corbado_emulator.app import create_emulator_app

__all__ = ["create_emulator_app"]
