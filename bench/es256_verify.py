"""Micro-benchmark: bare ES256 verify vs. one worker's full access-token verification.

    .venv/bin/python bench/es256_verify.py [--seconds 3]
    valgrind --tool=callgrind .venv/bin/python bench/es256_verify.py --run decode 200
      (and --run decode 0: the difference / 200 is the instructions per verification)

The bare side is `cryptography`'s ECDSA P-256/SHA-256 verify of the signature of one of our own
access tokens (the DER conversion of the raw JWS signature done once, outside the loop): the
floor no verifier can go below. The full side is what a request pays before its handler runs:
`Es256AccessTokens.decode` (our header rules, joserfc's signature check, issuer, audience, claim
types) and the `Authenticate` use case (time rules, the in-memory deny-list), on one thread, no
HTTP. It prints both times per verification and their ratio (the target is at most 1.5x). On a
shared machine wall-clock is noise; `--run` repeats one side untimed, for callgrind's
instruction counts. Not a CI test.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import time
from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from adapters.memory_revocations import InMemoryRevokedSessions
from adapters.system_clock import SystemClock
from adapters.tokens.es256_access_tokens import Es256AccessTokens
from adapters.tokens.signing_keys import generate_private_key_pem, load_signing_keys
from domain.model import AccessGrant
from domain.policy import SessionPolicy
from domain.usecases.authenticate import Authenticate

ISSUER = "https://auth.example.com"
AUDIENCE = "connect-backend-bench"


def _per_call_s(call: Callable[[], object], seconds: float) -> float:
    """The best of five runs of about seconds/5 each, per call."""
    batch = 1
    while True:
        started = time.perf_counter()
        for _ in range(batch):
            call()
        if time.perf_counter() - started > 0.05:
            break
        batch *= 2
    runs = []
    for _ in range(5):
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds / 5:
            for _ in range(batch):
                call()
            count += batch
        runs.append((time.perf_counter() - started) / count)
    return min(runs)


def _b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per side")
    parser.add_argument(
        "--run",
        nargs=2,
        metavar=("SIDE", "COUNT"),
        help="only run SIDE (bare, decode, full) COUNT times, untimed: for callgrind",
    )
    args = parser.parse_args()

    with TemporaryDirectory() as tmp:
        key_file = Path(tmp) / "keys.pem"
        key_file.write_text(generate_private_key_pem(), encoding="ascii")
        pem = key_file.read_text(encoding="ascii")
    keys = load_signing_keys(pem)
    tokens = Es256AccessTokens(keys, issuer=ISSUER, audience=AUDIENCE)
    clock = SystemClock()
    now = clock.now()
    token = tokens.issue(
        AccessGrant(
            subject="user-1",
            session_id="session-1",
            token_id="jti-1",  # noqa: S106 - an identifier, not a secret
            issued_at=now,
            expires_at=now + 900,
            auth_time=now,
            amr=("pwd",),
        )
    )

    # Bare: the signature check alone, with cryptography, on the same token bytes.
    private = load_pem_private_key(pem.encode("ascii"), password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    public = private.public_key()
    signing_input, _, signature_b64 = token.rpartition(".")
    raw = _b64url_decode(signature_b64)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    message = signing_input.encode("ascii")
    algorithm = ec.ECDSA(hashes.SHA256())

    def bare() -> None:
        public.verify(der, message, algorithm)

    # Full: what the Bearer dependency runs, with the deny-list holding some other sessions.
    revoked = InMemoryRevokedSessions()
    authenticate = Authenticate(tokens, revoked, clock, SessionPolicy())
    loop = asyncio.new_event_loop()

    async def add_revocations() -> None:
        for index in range(1000):
            await revoked.add(f"ended-{index}", now + 900)

    loop.run_until_complete(add_revocations())

    def full() -> None:
        # The use case awaits nothing that suspends (in-memory deny-list): drive it directly,
        # as the event loop would, without measuring the loop's own scheduling.
        coroutine = authenticate.execute(token)
        try:
            coroutine.send(None)
        except StopIteration:
            return
        raise RuntimeError("Authenticate suspended; this benchmark expects it not to")

    full()
    if args.run:
        sides = {"bare": bare, "decode": lambda: tokens.decode(token), "full": full}
        for _ in range(int(args.run[1])):
            sides[args.run[0]]()
        loop.close()
        return
    bare_s = _per_call_s(bare, args.seconds)
    full_s = _per_call_s(full, args.seconds)
    decode_s = _per_call_s(lambda: tokens.decode(token), args.seconds)
    loop.close()
    ratio = full_s / bare_s
    print(f"bare ES256 verify (cryptography):        {bare_s * 1e6:8.1f} us")
    print(f"Es256AccessTokens.decode:                {decode_s * 1e6:8.1f} us")
    print(f"decode + Authenticate (in-memory list):  {full_s * 1e6:8.1f} us")
    print(f"ratio full / bare:                       {ratio:8.2f}x (target <= 1.5x)")
    print(
        "BENCH_JSON "
        + json.dumps(
            {
                "bare_us": round(bare_s * 1e6, 1),
                "decode_us": round(decode_s * 1e6, 1),
                "full_us": round(full_s * 1e6, 1),
                "ratio": round(ratio, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
