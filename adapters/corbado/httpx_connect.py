"""The Corbado Backend API v2 over httpx: connect tokens, passkey logins, account removal.

One adapter serves both Corbado ports on one shared client:
- `httpx_client.py` builds that client, sending through aiohttp's connection pool;
- `httpx_calls.py` sends one call under a whole-call deadline, a second time only when no
  connection could be established;
- `connect_operations.py` (`CorbadoConnect`) and `account_operations.py` (`CorbadoAccounts`)
  are the operations;
- `answers.py` maps what Corbado answers onto the domain's errors.

Neither exceptions nor log lines carry Corbado's bodies, the API secret, a connect token secret
or `signedPasskeyData`.
"""

from adapters.corbado.account_operations import HttpxAccountOperations
from adapters.corbado.connect_operations import HttpxConnectOperations
from adapters.corbado.httpx_client import build_corbado_client

__all__ = ["HttpxCorbadoConnect", "build_corbado_client"]


class HttpxCorbadoConnect(HttpxConnectOperations, HttpxAccountOperations):
    """`CorbadoConnect` and `CorbadoAccounts` on a shared `httpx.AsyncClient` built by
    `build_corbado_client`."""
