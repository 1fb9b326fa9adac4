"""Profile: a createConnectToken loop and a completeLogin loop through the whole app, in process.

    .venv/bin/python bench/profile_loop.py [--calls 500] [--top 15]

The app as `dev` builds it on a fresh SQLite file, with Corbado replaced by the tests' scripted
fake (so the profile shows our side: Litestar, the use cases, the stores, the token code, not
the network), driven through httpx's ASGITransport on one event loop and one thread, the one
cProfile sees. Prints cProfile's top entries by own time for each loop. Not a CI test.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import dataclasses
import io
import pstats
import sys
import tempfile
from pathlib import Path

import httpx
from dependency_injector import providers

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from adapters.tokens.signing_keys import generate_private_key_pem
from entrypoints.configuration import Settings
from entrypoints.configuration.settings import RateLimitSettings
from entrypoints.container import Container, started
from entrypoints.web.app import create_app
from tests.fakes.fake_corbado import FAKE_PROJECT_ID, FakeCorbadoConnect

PASSWORD = "correct horse battery"
LIMITS = RateLimitSettings(10**6, 10**6, 10**6, 10**6, 10**6)


async def main(calls: int, top: int) -> None:
    with tempfile.TemporaryDirectory() as work:
        settings = Settings.for_dev({}, state_dir=Path(work))
        settings.signing_keys_path.write_text(generate_private_key_pem(), encoding="ascii")
        settings = dataclasses.replace(
            settings, rate_limits=LIMITS, corbado_project_id=FAKE_PROJECT_ID
        )
        async with started(Container(settings=settings)) as container:
            await container.upgrade_schema()
        container = Container(settings=settings)
        corbado = FakeCorbadoConnect()
        container.corbado.override(providers.Object(corbado))
        app = create_app(container)
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with (
            app.lifespan(),
            httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client,
        ):
            body = {"email": "jane@example.com", "password": PASSWORD, "displayName": "Jane"}
            assert (await client.post("/auth/register", json=body)).status_code == 201
            credentials = {"email": body["email"], "password": PASSWORD}
            login = await client.post("/auth/login", json=credentials)
            bearer = {"Authorization": f"Bearer {login.json()['accessToken']}"}

            async def connect_token() -> None:
                response = await client.post(
                    "/auth/createConnectToken",
                    json={"connectTokenType": "passkey-append"},
                    headers=bearer,
                )
                assert response.status_code == 200, response.text

            async def complete_login() -> None:
                signed = corbado.mint(body["email"])
                response = await client.post(
                    "/auth/completeLogin", json={"signedPasskeyData": signed}
                )
                assert response.status_code == 200, response.text

            for name, call in (
                ("createConnectToken", connect_token),
                ("completeLogin", complete_login),
            ):
                for _ in range(50):
                    await call()
                profile = cProfile.Profile()
                profile.enable()
                for _ in range(calls):
                    await call()
                profile.disable()
                out = io.StringIO()
                stats = pstats.Stats(profile, stream=out)
                stats.sort_stats("tottime").print_stats(top)
                print(f"=== {name}: {calls} calls ===")
                print("\n".join(out.getvalue().splitlines()[: top + 12]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--top", type=int, default=15)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.calls, arguments.top))
