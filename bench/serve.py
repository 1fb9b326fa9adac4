"""`connect-backend serve` for the benchmark: production code, one cap lifted.

The harness sends thousands of passkey requests per second from 127.0.0.1, far above the
per-client limit of RATE_LIMIT_PASSKEY_PER_MINUTE and above the ceiling `serve` accepts for it
(`MAX_PASSKEY_PER_MINUTE`, which keeps one client below the real Corbado's own limit; the
harness's fake Corbado has none). This lifts that ceiling so the benchmark's environment can
raise the limit; every check, setting and code path is otherwise exactly `connect-backend serve`.
Not for production.
"""

import sys

from entrypoints import cli, settings

settings.MAX_PASSKEY_PER_MINUTE = 10**9

if __name__ == "__main__":
    sys.exit(cli.main(["serve"]))
