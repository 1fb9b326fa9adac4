"""The numbers that govern sessions, handed in by configuration as plain values."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    """Lifetimes, grace windows and clock leeway for access and refresh tokens; the field
    defaults are the service's defaults, which configuration may override."""

    access_token_ttl_s: int = 900
    session_lifetime_s: int = 2_592_000
    session_idle_timeout_s: int = 1_209_600
    refresh_reuse_grace_s: int = 30
    clock_leeway_s: int = 30
    sensitive_action_max_age_s: int = 600

    @property
    def revocation_ttl_s(self) -> int:
        """How long a revoked session must stay on the deny-list: its last access token's life."""
        return self.access_token_ttl_s + self.clock_leeway_s
