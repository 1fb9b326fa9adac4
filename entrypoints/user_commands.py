"""`connect-backend users`: add a user with a password, delete one here and at Corbado."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import pkgutil
import sys

from domain.errors import (
    AccountClosed,
    AccountNotFound,
    CorbadoError,
    DomainError,
    StoreUnavailable,
)
from entrypoints.configuration import ConfigError, Settings
from entrypoints.configuration.settings import database_given
from entrypoints.container import Container, run_with

# dev's Corbado is the emulator, in this process: named by import path, as `cli` names dev's
# factory, so that no module `serve` imports imports the emulator (decision 0023).
DEV_CORBADO = "corbado_emulator.dev.wiring:reach_emulator"


def users_add(args: argparse.Namespace) -> int:
    production = database_given(os.environ)
    settings = (Settings.for_database if production else Settings.for_dev)(os.environ)
    password = _read_password(args.password_stdin)

    async def add(container: Container) -> str:
        if not production:
            await container.upgrade_schema()
        user = await container.create_user().execute(args.email, password, args.display_name)
        return json.dumps(
            {"userId": user.id, "email": user.email, "displayName": user.display_name}
        )

    try:
        print(run_with(settings, add))
    except DomainError as exc:
        print(f"connect-backend users add: {exc}", file=sys.stderr)
        return 1
    return 0


def users_delete(args: argparse.Namespace) -> int:
    settings, production = environment_settings()

    async def delete(container: Container) -> str:
        if not production:
            await container.upgrade_schema()
        deleted = await container.delete_account_as_operator().execute(args.email)
        return (
            f"connect-backend users delete: deleted {deleted.user_id} with "
            f"{len(deleted.ended_session_ids)} sessions, {deleted.connect_tokens_deleted} "
            f"connect tokens and {deleted.corbado_users_deleted} Corbado users"
        )

    prepare = None if production else pkgutil.resolve_name(DEV_CORBADO)
    try:
        print(run_with(settings, delete, prepare), file=sys.stderr)
    except (AccountNotFound, AccountClosed):
        print(
            f"connect-backend users delete: no user has the email {args.email!r}", file=sys.stderr
        )
        return 1
    except (CorbadoError, StoreUnavailable) as exc:
        print(
            "connect-backend users delete: the account is unchanged here; "
            f"{_could_not_confirm(exc)}; run the command again",
            file=sys.stderr,
        )
        return 1
    return 0


def environment_settings() -> tuple[Settings, bool]:
    """With DATABASE_URL set, production: the variables `serve` reads (the real Corbado, the
    shared deny-list, the lifetimes), and True. Without it, the dev database and the emulator."""
    production = database_given(os.environ)
    return (Settings.from_env if production else Settings.for_dev)(os.environ), production


def _could_not_confirm(exc: Exception) -> str:
    if isinstance(exc, CorbadoError):
        return f"Corbado could not confirm the deletion ({type(exc).__name__})"
    return f"a store was unavailable ({type(exc).__name__})"


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise ConfigError("--password-stdin", "is needed when stdin is not a terminal")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != password:
        raise ConfigError("password", "the two entries differ")
    return password
