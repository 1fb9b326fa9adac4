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
from pathlib import Path

from tests.support.servers import postgres_server, redis_server

ROOT = Path(__file__).resolve().parent.parent
HARNESS = Path(os.environ.get("BENCH_HARNESS", ROOT.parent / "shared" / "bench"))
PORT = 8000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    cli = str(ROOT / ".venv" / "bin" / "connect-backend")
    with tempfile.TemporaryDirectory(prefix="connect-backend-pg-bench-") as work:
        bench = Path(work) / "bench"
        shutil.copytree(HARNESS, bench, ignore=shutil.ignore_patterns("node_modules", "results"))
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=bench / "reference-express",
            check=True,
            stdout=sys.stderr,
        )
        keys = Path(work) / "keys.pem"
        keys.write_bytes(
            subprocess.run([cli, "keys", "generate"], check=True, capture_output=True).stdout
        )
        keys.chmod(0o600)
        with postgres_server() as postgres, redis_server() as redis:
            os.environ.update(
                SESSION_ISSUER=f"http://127.0.0.1:{PORT}",
                SESSION_AUDIENCE="connect-backend-bench",
                SESSION_SIGNING_KEYS=str(keys),
                DATABASE_URL=postgres.create_database("bench"),
                REDIS_URL=redis.url,
                WORKERS="2",
                ALLOW_REGISTRATION="true",
                TRUSTED_PROXIES="127.0.0.1/32",
            )
            subprocess.run([cli, "migrate"], check=True, stderr=subprocess.DEVNULL)
            mint = f"python3 {shlex.quote(str(bench / 'mint-connect-backend.py'))}"
            subprocess.run(
                [
                    str(bench / "compare.sh"),
                    "--name", "connect-backend-postgres-2-workers",
                    "--cmd", f"exec {shlex.quote(cli)} serve",
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
