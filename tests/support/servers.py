"""Throwaway PostgreSQL and Redis servers on loopback, for the tests that need the real engines.

Each server lives in its own temporary directory, listens on 127.0.0.1 on a free port and is
stopped and removed on leaving its context manager, whether the tests passed or not. When a
server's binaries are missing the tests skip with the reason, except under CI=true, where a
missing server is an error: CI must run these tests.
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

LOOPBACK = "127.0.0.1"
POSTGRES_BIN_DIR_VARIABLE = "POSTGRES_BIN_DIR"
_POSTGRES_BIN_DIRS = (Path("/usr/lib/postgresql/15/bin"),)
# initdb refuses to run as root, so under root (as in CI) the cluster belongs to this OS user.
_POSTGRES_OS_USER = "postgres"
_POSTGRES_SUPERUSER = "postgres"
_START_TIMEOUT_S = 30.0
_STOP_TIMEOUT_S = 30.0
_POLL_INTERVAL_S = 0.05


class ServerUnavailable(RuntimeError):
    """A server the tests need cannot be started here."""


def unavailable(reason: str) -> NoReturn:
    """Skip the requesting tests with `reason`; under CI=true, fail them instead."""
    if os.environ.get("CI") == "true":
        raise ServerUnavailable(f"{reason}; CI=true, where these tests must run")
    pytest.skip(reason)


@dataclass(frozen=True, slots=True)
class PostgresServer:
    """A running PostgreSQL cluster that trusts every local connection."""

    host: str
    port: int
    bin_dir: Path
    control: "_PostgresControl | None" = None

    def stop(self) -> None:
        """Shut the server down (fast: open connections are terminated), keeping its data."""
        assert self.control is not None
        self.control.stop()

    def start(self) -> None:
        """Start it again after `stop`, on the same port and data; return once it answers."""
        assert self.control is not None
        self.control.start()

    def url(self, database: str = "postgres", *, user: str = _POSTGRES_SUPERUSER) -> str:
        """The `postgresql+asyncpg://` URL of `database`, as `user` (no password: trust)."""
        return f"postgresql+asyncpg://{user}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database and return its URL (as the superuser)."""
        command = [str(self.bin_dir / "createdb"), "-h", self.host, "-p", str(self.port)]
        _run([*command, "-U", _POSTGRES_SUPERUSER, name], what="createdb")
        return self.url(name)


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Start a PostgreSQL cluster in a temp dir; stop it and remove every file on exit."""
    bin_dir = _postgres_bin_dir()
    run_as = _postgres_run_as()
    root = Path(tempfile.mkdtemp(prefix="cb-pg-"))
    try:
        if run_as:
            _give_to_postgres_user(root)
        data, sockets, log = root / "data", root / "sockets", root / "server.log"
        initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", _POSTGRES_SUPERUSER]
        _run(
            [*run_as, *initdb, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
            what="initdb",
            cwd=root,
        )
        sockets.mkdir()
        if run_as:
            _give_to_postgres_user(sockets)
        port = free_port()
        # Durability is worthless for a database that is deleted afterwards; speed is not.
        options = (
            f"-c listen_addresses={LOOPBACK} -c port={port} -c unix_socket_directories={sockets}"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        pg_ctl = [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data)]
        control = _PostgresControl(pg_ctl, bin_dir, port, options, root, log)
        try:
            control.start()
            yield PostgresServer(LOOPBACK, port, bin_dir, control)
        finally:
            # Also after a failed start: pg_ctl may have given up on a server that did start.
            _execute(
                [*pg_ctl, "stop", "-m", "immediate", "-w", "-t", str(int(_STOP_TIMEOUT_S))],
                cwd=root,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


@dataclass(frozen=True, slots=True)
class _PostgresControl:
    pg_ctl: list[str]
    bin_dir: Path
    port: int
    options: str
    root: Path
    log: Path

    def start(self) -> None:
        start = ["start", "-w", "-t", str(int(_START_TIMEOUT_S)), "-l", str(self.log)]
        _run(
            [*self.pg_ctl, *start, "-o", self.options],
            what="pg_ctl start",
            cwd=self.root,
            log=self.log,
        )
        ready = [str(self.bin_dir / "pg_isready"), "-q", "-h", LOOPBACK, "-p", str(self.port)]
        _wait_until(lambda: _succeeds([*ready, "-t", "1"]), what="PostgreSQL", log=self.log)

    def stop(self) -> None:
        stop = ["stop", "-m", "fast", "-w", "-t", str(int(_STOP_TIMEOUT_S))]
        _run([*self.pg_ctl, *stop], what="pg_ctl stop", cwd=self.root, log=self.log)


async def create_postgres_schema(admin_url: str) -> str:
    """A fresh, empty schema, as the URL of a fresh role that owns it (see `postgres_schema`)."""
    name = f"t_{uuid.uuid4().hex}"
    await _administer(
        admin_url, f'CREATE ROLE "{name}" LOGIN', f'CREATE SCHEMA "{name}" AUTHORIZATION "{name}"'
    )
    return make_url(admin_url).set(username=name).render_as_string(hide_password=False)


@asynccontextmanager
async def postgres_schema(admin_url: str) -> AsyncIterator[str]:
    """A fresh, empty schema, as the URL of a fresh role that owns it; both dropped on exit.

    The role and the schema share one name, so PostgreSQL's default search path (`"$user",
    public`) puts everything that role creates, Alembic's version table included, into it:
    stores built on the URL are independent of every other test's. Dispose of engines built on
    the URL before leaving.
    """
    url = await create_postgres_schema(admin_url)
    try:
        yield url
    finally:
        name = make_url(url).username
        await _administer(admin_url, f'DROP SCHEMA "{name}" CASCADE', f'DROP ROLE "{name}"')


async def _administer(admin_url: str, *statements: str) -> None:
    admin = create_async_engine(admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await admin.dispose()


@dataclass(frozen=True, slots=True)
class RedisServer:
    """A running redis-server without persistence."""

    host: str
    port: int
    control: "_RedisControl | None" = None

    @property
    def url(self) -> str:
        """The `redis://` URL of its database 0."""
        return f"redis://{self.host}:{self.port}/0"

    def stop(self) -> None:
        """Shut the server down; without persistence, everything it held is gone."""
        assert self.control is not None
        self.control.stop()

    def start(self) -> None:
        """Start it again after `stop`, on the same port and empty; return once it answers."""
        assert self.control is not None
        self.control.start()


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    """Start redis-server in a temp dir, without persistence; stop it and remove it on exit."""
    binary = shutil.which("redis-server")
    if binary is None:
        unavailable("redis-server is not installed (not found on PATH)")
    root = Path(tempfile.mkdtemp(prefix="cb-redis-"))
    control = _RedisControl(binary, free_port(), root)
    try:
        try:
            control.start()
            yield RedisServer(LOOPBACK, control.port, control)
        finally:
            control.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


class _RedisControl:
    def __init__(self, binary: str, port: int, root: Path) -> None:
        self.binary, self.port, self.root = binary, port, root
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.root / "server.log"
        arguments = ["--bind", LOOPBACK, "--port", str(self.port), "--save", ""]
        arguments += ["--appendonly", "no", "--dir", str(self.root), "--daemonize", "no"]
        with log.open("ab") as output:
            self.process = subprocess.Popen(  # noqa: S603 - a fixed binary and fixed arguments
                [self.binary, *arguments, "--logfile", ""],
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        port = self.port
        _wait_until(
            lambda: _redis_answers(port), what="redis-server", log=log, process=self.process
        )

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _postgres_bin_dir() -> Path:
    configured = os.environ.get(POSTGRES_BIN_DIR_VARIABLE)
    candidates = [Path(configured)] if configured else list(_POSTGRES_BIN_DIRS)
    on_path = shutil.which("initdb")
    if not configured and on_path:
        candidates.append(Path(on_path).parent)
    for candidate in candidates:
        if all((candidate / name).is_file() for name in ("initdb", "pg_ctl", "pg_isready")):
            return candidate
    searched = ", ".join(str(candidate) for candidate in candidates)
    unavailable(
        f"PostgreSQL server binaries (initdb, pg_ctl, pg_isready) not found in {searched}; "
        f"set {POSTGRES_BIN_DIR_VARIABLE} to their directory"
    )


def _postgres_run_as() -> list[str]:
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        unavailable("running as root, and runuser (to start PostgreSQL as another user) is missing")
    try:
        pwd.getpwnam(_POSTGRES_OS_USER)
    except KeyError:
        unavailable(f"running as root, and there is no {_POSTGRES_OS_USER!r} user to run initdb")
    return [runuser, "-u", _POSTGRES_OS_USER, "--"]


def _give_to_postgres_user(path: Path) -> None:
    account = pwd.getpwnam(_POSTGRES_OS_USER)
    os.chown(path, account.pw_uid, account.pw_gid)


def free_port() -> int:
    """A TCP port on loopback that nothing listened on a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def _clean_environment() -> dict[str, str]:
    # PGDATA, PGHOST and friends in the caller's environment must not redirect the tools.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    environment["LC_ALL"] = "C"
    return environment


def _execute(command: list[str], *, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - commands built here from fixed binaries and arguments
        command, cwd=cwd, env=_clean_environment(), capture_output=True, text=True, check=False
    )


def _run(
    command: list[str], *, what: str, cwd: Path | None = None, log: Path | None = None
) -> None:
    result = _execute(command, cwd=cwd)
    if result.returncode != 0:
        details = result.stdout + result.stderr + _tail(log)
        raise ServerUnavailable(f"{what} failed with exit code {result.returncode}:\n{details}")


def _succeeds(command: list[str]) -> bool:
    return _execute(command).returncode == 0


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _wait_until(
    ready: Callable[[], bool],
    *,
    what: str,
    log: Path,
    process: subprocess.Popen[bytes] | None = None,
) -> None:
    deadline = time.monotonic() + _START_TIMEOUT_S
    while not ready():
        if process is not None and process.poll() is not None:
            raise ServerUnavailable(
                f"{what} exited with code {process.returncode} while starting:\n{_tail(log)}"
            )
        if time.monotonic() > deadline:
            raise ServerUnavailable(
                f"{what} did not answer within {_START_TIMEOUT_S:.0f} s:\n{_tail(log)}"
            )
        time.sleep(_POLL_INTERVAL_S)


def _tail(log: Path | None, lines: int = 30) -> str:
    if log is None or not log.is_file():
        return ""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
