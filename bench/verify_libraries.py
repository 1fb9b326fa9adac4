"""Micro-benchmark: verifying our access tokens with a library, every rule of 0001 enforced.

    .venv/bin/python bench/verify_libraries.py [--seconds 3]
    valgrind --tool=callgrind .venv/bin/python bench/verify_libraries.py --run joserfc 200
      (and --run joserfc 0: the difference / 200 is the instructions per verification)

Each side verifies the same token, one of our own, with every rule decision 0001 asks for and
`Es256AccessTokens.decode` enforces: the length cap and compact form, the key chosen by `kid`
among our own keys before any cryptography, exactly ES256, `typ` at+jwt, no key-bearing header
(`jku`, `jwk`, `x5u`, `x5c`) and no `crit`, the signature, issuer, audience, `exp`/`iat` present
and checked (for ours by the domain's `Authenticate`: `bench/es256_verify.py --run full`), and
every claim of its exact type. The sides: `ours` is that decode, joserfc's JWS
path with our rules around it (decision 0015); `joserfc` is the library's plain `jwt.decode`
with a `KeySet` and `JWTClaimsRegistry`, as 0015 first measured it; `pyjwt` the alternative 0015
turned down. Prints microseconds per verification and the ratio to the bare ES256 verify of
`bench/es256_verify.py` (target at most 1.5x). Not a CI test.
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import jwt as pyjwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from joserfc import jwt as jose_jwt
from joserfc.jwk import ECKey, KeySet

sys.path.insert(0, str(Path(__file__).parent))
from es256_verify import _per_call_s

from adapters.tokens.es256_access_tokens import ACCEPTED_TYPES, Es256AccessTokens
from adapters.tokens.signing_keys import generate_private_key_pem, load_signing_keys
from domain.model import AccessGrant

ISSUER = "https://auth.example.com"
AUDIENCE = "connect-backend-bench"
_COMPACT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_FORBIDDEN = ("jku", "jwk", "x5u", "x5c", "crit")
_TYPES = {"sub": str, "sid": str, "jti": str, "iat": int, "exp": int, "auth_time": int}


def _check_header(header: dict[str, Any], known_kids: set[str]) -> None:
    if header.get("kid") not in known_kids or header.get("alg") != "ES256":
        raise ValueError("key or algorithm")
    if str(header.get("typ", "")).lower() not in ACCEPTED_TYPES:
        raise ValueError("typ")
    if any(name in header for name in _FORBIDDEN):
        raise ValueError("forbidden header")


def _check_claims(claims: dict[str, Any]) -> None:
    for name, kind in _TYPES.items():
        value = claims.get(name)
        if type(value) is not kind or (kind is str and not value):
            raise ValueError(name)
    amr = claims.get("amr")
    if not isinstance(amr, list) or not all(isinstance(item, str) for item in amr):
        raise ValueError("amr")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per side")
    parser.add_argument(
        "--run",
        nargs=2,
        metavar=("SIDE", "COUNT"),
        help="only run SIDE (bare, ours, pyjwt, joserfc) COUNT times, untimed: for callgrind",
    )
    args = parser.parse_args()
    keys = load_signing_keys(generate_private_key_pem())
    ours = Es256AccessTokens(keys, issuer=ISSUER, audience=AUDIENCE)
    now = int(time.time())
    token = ours.issue(AccessGrant("user-1", "session-1", "jti-1", now, now + 900, now, ("pwd",)))
    kid = keys[0].kid
    public_pem = keys[0].public_key.to_pem().decode("ascii")
    pyjwt_keys = {kid: pyjwt.PyJWK({**keys[0].public_jwk, "alg": "ES256"}).key}
    keyset = KeySet([ECKey.import_key(public_pem, {"kid": kid})])
    registry = jose_jwt.JWTClaimsRegistry(
        leeway=0,
        iss={"essential": True, "value": ISSUER},
        aud={"essential": True, "value": AUDIENCE},
        exp={"essential": True},
        iat={"essential": True},
    )

    def with_pyjwt() -> None:
        if len(token) > 4096 or not _COMPACT.fullmatch(token):
            raise ValueError("form")
        header = pyjwt.get_unverified_header(token)
        _check_header(header, set(pyjwt_keys))
        claims = pyjwt.decode(
            token,
            pyjwt_keys[header["kid"]],
            algorithms=["ES256"],
            audience=AUDIENCE,
            issuer=ISSUER,
            leeway=0,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "jti"], "verify_iat": True},
        )
        _check_claims(claims)

    def with_joserfc() -> None:
        if len(token) > 4096 or not _COMPACT.fullmatch(token):
            raise ValueError("form")
        decoded = jose_jwt.decode(token, keyset, algorithms=["ES256"])
        _check_header(decoded.header, {kid})
        registry.validate(decoded.claims)
        _check_claims(decoded.claims)

    public = load_pem_public_key(public_pem.encode("ascii"))
    assert isinstance(public, ec.EllipticCurvePublicKey)
    signing_input, _, signature = token.rpartition(".")
    raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    message, algorithm = signing_input.encode("ascii"), ec.ECDSA(hashes.SHA256())

    with_pyjwt()
    with_joserfc()
    sides = {
        "bare": lambda: public.verify(der, message, algorithm),
        "ours": lambda: ours.decode(token),
        "pyjwt": with_pyjwt,
        "joserfc": with_joserfc,
    }
    if args.run:
        side = sides[args.run[0]]
        for _ in range(int(args.run[1])):
            side()
        return
    results = {
        "bare_us": _per_call_s(lambda: public.verify(der, message, algorithm), args.seconds),
        "ours_us": _per_call_s(lambda: ours.decode(token), args.seconds),
        "pyjwt_us": _per_call_s(with_pyjwt, args.seconds),
        "joserfc_us": _per_call_s(with_joserfc, args.seconds),
    }
    report: dict[str, float] = {name: round(s * 1e6, 1) for name, s in results.items()}
    for name in ("ours", "pyjwt", "joserfc"):
        report[f"{name}_ratio"] = round(results[f"{name}_us"] / results["bare_us"], 2)
    print(f"BENCH_JSON {json.dumps(report)}")


if __name__ == "__main__":
    main()
