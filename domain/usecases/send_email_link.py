from collections.abc import Awaitable, Callable
from dataclasses import KW_ONLY, dataclass

from domain.email_links import (
    RESEND_INTERVAL_S,
    EmailLinks,
    EmailPurpose,
    Mail,
    email_token_hash,
    new_email_token,
)
from domain.model import User
from domain.ports import BackgroundWork, Clock, EmailTokens, Mailer
from domain.protection.login_throttle import account_key
from domain.protection.rate_limits import Limit, RateLimiter

# The limit's name: a metric label and a counter key.
MAIL_PER_ACCOUNT = "mail-account"


@dataclass(frozen=True, slots=True)
class SendEmailLink:
    """Mails an account a fresh single-use link of one purpose, after the request is answered.

    Requests for mail are counted per address, `per_account` in each of the limiter's windows,
    whether or not an account holds the address, so that nobody can flood a mailbox. A request
    repeated within `RESEND_INTERVAL_S` of the last mail of its purpose mails nothing more.
    """

    tokens: EmailTokens
    mailer: Mailer
    background: BackgroundWork
    limiter: RateLimiter
    clock: Clock
    links: EmailLinks
    _: KW_ONLY
    per_account: int
    token_ttl_s: int

    async def count(self, address: str) -> None:
        """Count a request for mail to the normalised `address`; `RateLimited` beyond the limit."""
        await self.limiter.hit(Limit(MAIL_PER_ACCOUNT, self.per_account), account_key(address))

    def later(self, work: Callable[[], Awaitable[None]], name: str) -> None:
        """Run `work` after the request is answered."""
        self.background.start(work, name)

    async def deliver(self, user: User, purpose: EmailPurpose) -> None:
        """Issue a token of `purpose` for `user` and mail its link; nothing for a repeated
        request or an account that is gone or being deleted. Raises `MailUnavailable`
        when the mail system did not take the message."""
        now = self.clock.now()
        token = new_email_token()
        issued = await self.tokens.issue(
            user.id,
            purpose,
            email_token_hash(token),
            now,
            now + self.token_ttl_s,
            unless_issued_since=now - RESEND_INTERVAL_S,
        )
        if not issued:
            return
        await self.mailer.send(Mail(user.email, purpose, self.links.link(purpose, token)))
