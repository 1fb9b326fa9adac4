"""A password login behind the login throttle (decision 0008)."""

from dataclasses import dataclass

from domain.errors import InvalidCredentials
from domain.model import TokenPair
from domain.protection.login_throttle import LoginThrottle
from domain.usecases.password_login import PasswordLogin


@dataclass(frozen=True, slots=True)
class ThrottledLoginResult:
    """The new session, and the device token the client sends with its next login."""

    pair: TokenPair
    device_token: str


@dataclass(frozen=True, slots=True)
class ThrottledLogin:
    """`PasswordLogin` counted by `LoginThrottle`: the attempt is counted before the password
    is checked (`RateLimited` when a limit is reached, and then nothing is checked); only a
    refusal of the credentials keeps its count. A success, or a failure for any other reason
    (a database outage), gives the count back."""

    throttle: LoginThrottle
    login: PasswordLogin

    async def execute(
        self,
        email: str,
        password: str,
        *,
        client: str,
        device_token: str | None,
        user_agent: str | None,
    ) -> ThrottledLoginResult:
        """A session for `email` from `client` (what limits count: `Client.subject`);
        `InvalidCredentials` as `PasswordLogin`, `RateLimited` before it when throttled."""
        admission = await self.throttle.admit(email, client, device_token)
        try:
            pair = await self.login.execute(email, password, user_agent)
        except InvalidCredentials:
            raise
        except Exception:
            await self.throttle.refund(admission)
            raise
        return ThrottledLoginResult(pair, await self.throttle.succeeded(admission))
