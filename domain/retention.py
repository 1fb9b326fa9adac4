"""How long each kind of stored row can still matter, as cut-offs derived from the policy.

Every cut-off is exclusive: a row whose instant is *before* it can no longer matter and may be
removed; a row at the cut-off or after it stays. Access tokens are never stored, but they decide
most of these spans: one is accepted until `clock_leeway_s` after its `exp`, and `exp` is at most
`access_token_ttl_s` after it was issued and never after its session's `expires_at`.
"""

from dataclasses import dataclass

from domain.policy import SessionPolicy


@dataclass(frozen=True, slots=True)
class RetentionCutoffs:
    """The instants (Unix seconds) before which each kind of row may be removed.

    - `expired_before`: a session whose `expires_at` is before it. Its access tokens expired
      with it, and the leeway after that is over, so no account deletion needs to revoke it.
    - `revoked_before`: a revoked session whose `revoked_at` is before it: the span the
      deny-list and the revocation feed keep the revocation, so every store tells one story.
    - `used_before`: a session whose `last_used_at` is before it: idle for longer than the idle
      timeout, and its last access token (issued when it was last used) is past acceptance.
    - `revocations_before`: a revocation-log entry whose `revoked_at` is before it. Restoring
      the deny-list reads entries from exactly this instant on, and the feed's `denyUntil` of
      an older one is in the past.
    - `connect_tokens_before`: a connect-token record whose `expires_at` is before it, with the
      leeway for Corbado's clock trailing ours: until then Corbado might still honour it, and
      an account deletion must find it.
    """

    expired_before: int
    revoked_before: int
    used_before: int
    revocations_before: int
    connect_tokens_before: int


def retention_cutoffs(now: int, policy: SessionPolicy) -> RetentionCutoffs:
    """The cut-offs at `now` under `policy`."""
    access_tokens_gone = now - policy.revocation_ttl_s
    return RetentionCutoffs(
        expired_before=now - policy.clock_leeway_s,
        revoked_before=access_tokens_gone,
        # The settings keep the idle timeout above the access-token span; a policy built by
        # hand might not, and the longer of the two decides.
        used_before=min(now - policy.session_idle_timeout_s, access_tokens_gone),
        revocations_before=access_tokens_gone,
        connect_tokens_before=now - policy.clock_leeway_s,
    )
