"""Login throttling by account, the way large identity providers do it (decision 0008).

Every attempt per client is counted by the per-route limits before the body is read. Here, once
the body names the account, an attempt is counted *before* the password is checked, against:

- failures per (account, client): the client is the device of a valid device token, else the
  client address;
- failures per account from every client together, a cap a botnet cannot guess past; a client
  with a valid device token for the account is exempt.

A successful login refunds both, so only failures count; so does an attempt that failed for
another reason than its credentials (a database outage). Parallel guesses each take their count
before any password hash runs, so no more than the limit are ever checked.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from domain.credentials import normalise_email
from domain.errors import InvalidInput, RateLimited
from domain.ports import Clock, DeviceTokens
from domain.protection.rate_limits import Limit, RateLimiter, Reservation

# The limits' names: metric labels and counter keys.
PER_ACCOUNT_CLIENT = "login-account-client"
PER_ACCOUNT = "login-account"


@dataclass(frozen=True, slots=True)
class LoginAdmission:
    """An attempt let through to the password check, and what it counted."""

    account: str
    counted: tuple[Reservation | None, ...]


@dataclass(frozen=True, slots=True)
class LoginThrottle:
    """Counts login attempts per account before they are checked; refunds those that succeed.

    `per_account_client` failures per (account, client) and `per_account` per account from
    every client together, in each of the limiter's windows.
    """

    limiter: RateLimiter
    device_tokens: DeviceTokens
    clock: Clock
    per_account_client: int
    per_account: int

    async def admit(self, email: str, client: str, device_token: str | None) -> LoginAdmission:
        """Count the attempt; `RateLimited` (nothing counted) when a limit is reached."""
        account = account_key(email)
        device = (
            self.device_tokens.verify(device_token, account, self.clock.now())
            if device_token
            else None
        )
        subject = f"{account}:device:{device.device_id}" if device else f"{account}:{client}"
        first = await self.limiter.reserve(
            Limit(PER_ACCOUNT_CLIENT, self.per_account_client), subject
        )
        if device is not None:
            return LoginAdmission(account, (first,))
        try:
            second = await self.limiter.reserve(Limit(PER_ACCOUNT, self.per_account), account)
        except RateLimited:
            await self.limiter.refund(first)
            raise
        return LoginAdmission(account, (first, second))

    async def refund(self, admission: LoginAdmission) -> None:
        """The attempt did not fail on its credentials: it does not count."""
        for reservation in admission.counted:
            await self.limiter.refund(reservation)

    async def succeeded(self, admission: LoginAdmission) -> str:
        """Refund the attempt; a fresh device token for the client that logged in."""
        await self.refund(admission)
        return self.device_tokens.issue(admission.account, self.clock.now())


def account_key(email: str) -> str:
    """The account a login names: its normalised email, hashed to keep addresses out of the
    counter store (an email the domain refuses is hashed as sent; its login fails anyway)."""
    try:
        normalised = normalise_email(email)
    except InvalidInput:
        normalised = email
    return hashlib.sha256(normalised.encode("utf-8", "surrogatepass")).hexdigest()[:32]
