"""The emulator's `signedPasskeyData`: minted for a user's passkey, verified single-use.

verifySignedData checks, in this order (Corbado's own order is unpublished):
1. the RS256 signature with the emulator's key, else `invalid_signature` (nothing is burnt);
2. single use: a `jti` seen before gives `invalid_challenge`; otherwise it is burnt now, so every
   attempt that passed step 1 uses the data up, whatever its outcome;
3. the validity window `nbf <= now < exp`, else `invalid_challenge`;
4. `username == webauthnId`, else `user_mismatch`;
5. the user the data was minted for (`sub`) still holds the identifier `webauthnId` and the
   passkey `credential`, else `user_mismatch`; then `success`.

Step 5 is what deleting a user (UserDelete), its identifier (IdentifierDelete) or the passkey
(CredentialDelete, or a passkey-delete connect token) does to data minted before.
`user_mismatch` is the verdict that fits: the signature is the emulator's own (not
`invalid_signature`), the challenge was fresh and unused (not `invalid_challenge`), and what no
longer holds is the link between the data's user, its passkey and the expected `username`: the
identifier or passkey now belongs to nobody, or to a new user created since under a new id.
`generic_error` would say the emulator failed, which it did not.
"""

import heapq
from collections.abc import Callable

import msgspec
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from jose import jwk, jws, jwt
from jose.exceptions import JOSEError

from corbado_emulator.directory import Directory
from corbado_emulator.ids import random_id, random_text
from corbado_emulator.records import Credential
from domain.model import VerificationResult

LIFETIME_S = 300
NOT_BEFORE_SKEW_S = 10
_ALGORITHM = "RS256"


class _Claims(msgspec.Struct):
    jti: str
    nbf: int
    exp: int
    sub: str
    credential: str
    webauthn_id: str = msgspec.field(name="webauthnId")


class PasskeyAuthority:
    """Plays both Corbado sides of a passkey login with its own RS256 key.

    `mint` is the Frontend API's answer to a login (a ceremony, or `passkeyLogin`'s stand-in
    credential); `verify` is the Backend
    API's verifySignedData, with the checks in the order the module docstring gives, against
    the users of `directory` as they are at verification time.
    """

    def __init__(self, project_id: str, clock: Callable[[], int], directory: Directory) -> None:
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        self._signing_key = jwk.construct(pem, _ALGORITHM)
        self._verifying_key = self._signing_key.public_key()
        self._kid = random_id("pki")
        self._project_id = project_id
        self._clock = clock
        self._directory = directory
        self._burnt: set[str] = set()
        # Burnt jtis by expiry: an expired one needs no remembering, its window check fails.
        self._burnt_until: list[tuple[int, str]] = []

    def mint(self, credential: Credential) -> str:
        """A fresh `signedPasskeyData` for a login with `credential`, under its identifier."""
        now = self._clock()
        claims = {
            "iss": self._project_id,
            "sub": credential.user_id,
            "exp": now + LIFETIME_S,
            "nbf": now - NOT_BEFORE_SKEW_S,
            "iat": now,
            "jti": random_text(30),
            "processId": random_text(20),
            "username": "",
            "credential": credential.credential_id,
            "challengeId": random_id("was"),
            "webauthnId": credential.identifier_value,
            "isCUI": False,
        }
        token: str = jwt.encode(
            claims, self._signing_key, algorithm=_ALGORITHM, headers={"kid": self._kid}
        )
        return token

    def verify(self, signed_passkey_data: str, username: str) -> VerificationResult:
        """verifySignedData's `verificationResult` for this data and expected user."""
        try:
            payload = jws.verify(signed_passkey_data, self._verifying_key, algorithms=[_ALGORITHM])
            claims = msgspec.json.decode(payload, type=_Claims)
        # Garbage can fail deep inside python-jose with non-JOSE errors (bad UTF-8, deep JSON).
        except (JOSEError, msgspec.DecodeError, ValueError, TypeError, RecursionError):
            return VerificationResult.INVALID_SIGNATURE
        now = self._clock()
        self._forget_expired(now)
        if claims.jti in self._burnt:
            return VerificationResult.INVALID_CHALLENGE
        self._burnt.add(claims.jti)
        heapq.heappush(self._burnt_until, (claims.exp, claims.jti))
        if not claims.nbf <= now < claims.exp:
            return VerificationResult.INVALID_CHALLENGE
        if username != claims.webauthn_id:
            return VerificationResult.USER_MISMATCH
        holder = self._directory.holder(claims.webauthn_id)
        passkey = self._directory.credential(claims.credential)
        if holder is None or passkey is None:
            return VerificationResult.USER_MISMATCH
        if holder.user_id != claims.sub or passkey.user_id != claims.sub:
            return VerificationResult.USER_MISMATCH
        return VerificationResult.SUCCESS

    def _forget_expired(self, now: int) -> None:
        while self._burnt_until and self._burnt_until[0][0] <= now:
            _, jti = heapq.heappop(self._burnt_until)
            self._burnt.discard(jti)
