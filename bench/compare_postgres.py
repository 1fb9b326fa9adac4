"""The production shape against the reference: PostgreSQL + Redis, two workers, unpinned.

Issue #18's last target: both endpoints at least as fast as the Express reference, the two run
unpinned on the same machine, interleaved by the harness's own compare.sh. A throwaway
PostgreSQL 15 and Redis on loopback (the test suite's servers), `connect-backend serve` with
`WORKERS=2`, behind a trusted proxy, default rate limits.

    .venv/bin/python -m bench.compare_postgres [--rounds 3] [--duration 10] [--warmup 10]

Needs what bench/compare.sh needs (nginx, wrk, node and npm) plus PostgreSQL 15 and Redis.
Prints the harness's summary (medians and ratios) on stdout.
"""
# ruff: noqa: S603, S607 - our own console script and the harness's tools, fixed arguments

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.servers import postgres_server, redis_server

ROOT = Path(__file__).resolve().parent.parent
HARNESS = Path(os.environ.get("BENCH_HARNESS", ROOT.parent / "shared" / "bench"))
PORT = 8000
CLI = str(ROOT / ".venv" / "bin" / "connect-backend")


@dataclass(frozen=True, slots=True)
class ProductionShape:
    """What `serve` needs to run as in production, and a way to take Redis away meanwhile."""

    environment: dict[str, str]
    stop_redis: Callable[[], None]


@contextmanager
def production_shape(work: Path, port: int, *, workers: int = 2) -> Iterator[ProductionShape]:
    """A throwaway PostgreSQL 15 (migrated) and Redis, and a fresh signing key in `work`.

    The environment runs `serve` with `workers` workers on `port`, registration open and the
    default rate limits, behind a trusted proxy on 127.0.0.1 (the load names its clients in
    X-Forwarded-For). Both servers are stopped on leaving; `stop_redis` stops Redis earlier.
    """
    keys = work / "keys.pem"
    keys.write_bytes(
        subprocess.run([CLI, "keys", "generate"], check=True, capture_output=True).stdout
    )
    keys.chmod(0o600)
    with postgres_server() as postgres, ExitStack() as redis_stack:
        redis = redis_stack.enter_context(redis_server())
        environment = {
            **os.environ,
            "PORT": str(port),
            "SESSION_ISSUER": f"http://127.0.0.1:{port}",
            "SESSION_AUDIENCE": "connect-backend-bench",
            "SESSION_SIGNING_KEYS": str(keys),
            "DATABASE_URL": postgres.create_database("bench"),
            "REDIS_URL": redis.url,
            "WORKERS": str(workers),
            "ALLOW_REGISTRATION": "true",
            "TRUSTED_PROXIES": "127.0.0.1/32",
        }
        subprocess.run([CLI, "migrate"], check=True, env=environment, stderr=subprocess.DEVNULL)
        yield ProductionShape(environment, redis_stack.close)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="connect-backend-pg-bench-") as work:
        bench = Path(work) / "bench"
        shutil.copytree(HARNESS, bench, ignore=shutil.ignore_patterns("node_modules", "results"))
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=bench / "reference-express",
            check=True,
            stdout=sys.stderr,
        )
        with production_shape(Path(work), PORT) as shape:
            os.environ.update(shape.environment)
            mint = f"python3 {shlex.quote(str(bench / 'mint-connect-backend.py'))}"
            subprocess.run(
                [
                    str(bench / "compare.sh"),
                    "--name", "connect-backend-postgres-2-workers",
                    "--cmd", f"exec {shlex.quote(CLI)} serve",
                    "--port", str(PORT),
                    "--mint", mint,
                    "--rounds", str(args.rounds),
                    "--connections", str(args.connections),
                    "--duration", str(args.duration),
                    "--warmup", str(args.warmup),
                ],
                check=True,
            )  # fmt: skip


if __name__ == "__main__":
    main()
