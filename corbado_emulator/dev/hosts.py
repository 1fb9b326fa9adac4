"""Which `Host` names `dev` answers: only its loopback names.

`dev` serves the emulator, whose `passkeyLogin` mints a login for any identifier. A page whose
name an attacker makes resolve to 127.0.0.1 (DNS rebinding) is same-origin with it, so were
`dev` to answer any `Host`, that page could log in to any account of the developer's database.
"""

from __future__ import annotations

from litestar.config.allowed_hosts import AllowedHostsConfig

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
DEFAULT_HTTP_PORT = 80


def loopback_hosts(port: int) -> AllowedHostsConfig:
    """The `Host` values of a server on `port` of this machine: each loopback name with the
    port (on port 80 also without it, as clients leave the default port out)."""
    hosts = [f"{name}:{port}" for name in LOOPBACK_NAMES]
    if port == DEFAULT_HTTP_PORT:
        hosts.extend(LOOPBACK_NAMES)
    return AllowedHostsConfig(allowed_hosts=hosts, www_redirect=False)
