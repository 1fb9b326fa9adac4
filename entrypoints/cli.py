"""The `connect-backend` command line."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from domain.errors import StoreUnavailable
from domain.usecases.purge_expired import Purged
from entrypoints.asgi import FACTORY, json_logs
from entrypoints.configuration import ConfigError, Settings
from entrypoints.configuration.secret_files import secret_value
from entrypoints.configuration.settings import (
    DEV_API_SECRET,
    DEV_PROJECT_ID,
    DEV_STATE_DIR,
    RETENTION,
    database_given,
)
from entrypoints.container import (
    Container,
    MigrationBlocked,
    configure_logging,
    enter_metrics_directory,
    run_with,
)
from entrypoints.server import run, server
from entrypoints.user_commands import users_add, users_delete
from entrypoints.web.app import create_app

T = TypeVar("T")
# `dev` and `emulator` name their workers' factories by import path: this module, and `serve`
# with it, never imports the emulator (decision 0023). The factories read from here what they
# share with the command: where dev mounts the emulator (this module's banner names the URL),
# and the variables through which `emulator` hands its worker --project-id and --api-secret.
DEV_FACTORY = "corbado_emulator.dev.asgi:dev_app_from_environment"
EMULATOR_FACTORY = "corbado_emulator.standalone:emulator_from_environment"
EMULATOR_MOUNT = "/_emulator/corbado"
EMULATOR_PROJECT_ID = "CONNECT_BACKEND_EMULATOR_PROJECT_ID"
EMULATOR_API_SECRET = "CONNECT_BACKEND_EMULATOR_API_SECRET"
EXIT_CONFIG = 2
# The database holds data a migration will not decide about; the operator must resolve it.
EXIT_MIGRATION_BLOCKED = 3


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    args = _parser().parse_args(argv)
    configure_logging(json=json_logs(args.command))
    try:
        code: int = args.run(args)
    except ConfigError as exc:
        print(f"connect-backend {args.command}: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except MigrationBlocked as exc:
        # `migrate`, and `dev` or `users add` that migrate their own database first.
        print(f"connect-backend {args.command}: {exc}", file=sys.stderr)
        return EXIT_MIGRATION_BLOCKED
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="connect-backend", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("dev", help="run locally with embedded defaults").set_defaults(run=_dev)
    commands.add_parser("serve", help="run in production from the environment").set_defaults(
        run=_serve
    )
    commands.add_parser("migrate", help="bring DATABASE_URL to the current schema").set_defaults(
        run=_migrate
    )
    users = commands.add_parser("users", help="manage users").add_subparsers(
        dest="users_command", required=True
    )
    add = users.add_parser("add", help="create a user with a password")
    add.add_argument("--email", required=True)
    add.add_argument("--display-name", required=True)
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(run=users_add)
    remove = users.add_parser(
        "delete", help="delete a user here and at Corbado, ending every session"
    )
    remove.add_argument("--email", required=True)
    remove.set_defaults(run=users_delete)
    commands.add_parser(
        "purge",
        help="remove what can no longer matter (expired sessions, spent refresh tokens, "
        "revocation entries past every token's lifetime); serve also does it periodically",
    ).set_defaults(run=_purge)
    emulator = commands.add_parser("emulator", help="serve the built-in Corbado emulator alone")
    emulator.add_argument("--host", default="127.0.0.1")
    emulator.add_argument("--port", type=int, default=18081)
    emulator.add_argument("--project-id", default=None)
    emulator.add_argument(
        "--api-secret",
        default=None,
        help="the secret it accepts; CORBADO_API_SECRET or CORBADO_API_SECRET_FILE keep it out "
        "of the process listing",
    )
    emulator.set_defaults(run=_emulator)
    keys = commands.add_parser("keys", help="signing keys").add_subparsers(
        dest="keys_command", required=True
    )
    keys.add_parser("generate", help="print a new ES256 private key (PEM)").set_defaults(
        run=_keys_generate
    )
    openapi = commands.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--output", type=Path, default=None)
    openapi.set_defaults(run=_openapi)
    return parser


def _dev(_: argparse.Namespace) -> int:
    settings = Settings.for_dev(os.environ)
    _ensure_dev_key(settings.signing_keys_path)
    run_with(settings, lambda container: container.upgrade_schema())
    base = f"http://127.0.0.1:{settings.port}"
    demo = f"http://localhost:{settings.port}/"
    print(
        DEV_BANNER.format(base=base, emulator=base + EMULATOR_MOUNT + "/", demo=demo),
        file=sys.stderr,
    )
    return run(server(DEV_FACTORY, settings.host, settings.port))


def _serve(_: argparse.Namespace) -> int:
    settings = Settings.from_env(os.environ)
    container = Container(settings=settings)
    try:
        container.signing_keys()
    except ValueError as exc:
        raise ConfigError("SESSION_SIGNING_KEYS", str(exc)) from exc
    except OSError as exc:
        # Most often a key file owned by another user: the image's user is uid 10001.
        reason = exc.strerror or type(exc).__name__
        raise ConfigError("SESSION_SIGNING_KEYS", f"cannot be read ({reason})") from exc
    if not run_with(settings, lambda c: c.schema_is_current()):
        return _schema_behind("serve")
    with contextlib.ExitStack() as stack:
        enter_metrics_directory(stack, os.environ, workers=settings.workers)
        return run(server(FACTORY, settings.host, settings.port, workers=settings.workers))


def _migrate(_: argparse.Namespace) -> int:
    run_with(Settings.for_database(os.environ), lambda container: container.upgrade_schema())
    print("connect-backend migrate: the database is at the current schema", file=sys.stderr)
    return 0


def _purge(_: argparse.Namespace) -> int:
    # The lifetimes decide what may go: with DATABASE_URL, those `serve` reads (and nothing
    # else: no Corbado, no keys), else the dev database's.
    production = database_given(os.environ)
    settings = (
        Settings.for_database(os.environ, RETENTION) if production else Settings.for_dev(os.environ)
    )

    async def purge(container: Container) -> Purged | None:
        if not production:
            await container.upgrade_schema()
        elif not await container.schema_is_current():
            return None
        return await container.purge_expired().execute()

    try:
        purged = run_with(settings, purge)
    except (StoreUnavailable, OSError) as exc:
        print(
            f"connect-backend purge: the database is unavailable ({type(exc).__name__}); "
            "what was removed before stays removed; run it again",
            file=sys.stderr,
        )
        return 1
    if purged is None:
        return _schema_behind("purge")
    print(
        f"connect-backend purge: removed {purged.expired_sessions} expired, "
        f"{purged.revoked_sessions} revoked and {purged.idle_sessions} idle sessions, "
        f"{purged.revocations} revocation entries and {purged.connect_tokens} connect-token "
        "records"
    )
    return 0


def _schema_behind(command: str) -> int:
    print(
        f"connect-backend {command}: the database schema is behind; run `connect-backend migrate`",
        file=sys.stderr,
    )
    return EXIT_CONFIG


def _emulator(args: argparse.Namespace) -> int:
    project_id = args.project_id or DEV_PROJECT_ID
    api_secret = _emulator_secret(args.api_secret)
    print(
        f"Corbado emulator on http://{args.host}:{args.port}/v2 for project {project_id}; "
        "it is not Corbado.",
        file=sys.stderr,
    )
    # The worker process inherits the environment: the emulator's factory reads them there.
    os.environ[EMULATOR_PROJECT_ID] = project_id
    os.environ[EMULATOR_API_SECRET] = api_secret
    return run(server(EMULATOR_FACTORY, args.host, args.port))


def _emulator_secret(flag: str | None) -> str:
    """The secret `--api-secret` gives, or `CORBADO_API_SECRET` (or its `_FILE`), which keep it
    out of the process listing; one of them only. Neither: the dev emulator's secret."""
    variable = secret_value(os.environ, "CORBADO_API_SECRET").strip()
    if flag is not None and variable:
        raise ConfigError(
            "--api-secret",
            "is given together with CORBADO_API_SECRET (or its _FILE); give only one",
        )
    return flag or variable or DEV_API_SECRET


def _keys_generate(_: argparse.Namespace) -> int:
    sys.stdout.write(Container().new_signing_key())
    return 0


def _openapi(args: argparse.Namespace) -> int:
    app = create_app(Container(settings=Settings.for_dev({})))
    document = json.dumps(app.openapi_schema.to_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.output is None:
        sys.stdout.write(document)
    else:
        args.output.write_text(document, encoding="utf-8")
    return 0


def _ensure_dev_key(path: Path) -> None:
    if path.exists():
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as key_file:
        key_file.write(Container().new_signing_key())


DEV_BANNER = (
    """
================================================================================
 connect-backend dev: NOT FOR PRODUCTION
 * Corbado is the BUILT-IN EMULATOR, not the real Corbado API ({emulator})
 * state (SQLite database, signing key) lives in ./"""
    + str(DEV_STATE_DIR)
    + """/
 * registration is open to anyone

 The demo frontend (passkeys work on localhost, not 127.0.0.1): {demo}

 Get a first access token:
   curl -s -X POST {base}/auth/register -H 'Content-Type: application/json' \\
     -d '{{"email":"jane@example.com","password":"correct horse battery","displayName":"Jane"}}'
   curl -s -X POST {base}/auth/login -H 'Content-Type: application/json' \\
     -d '{{"email":"jane@example.com","password":"correct horse battery"}}'
================================================================================
"""
)
