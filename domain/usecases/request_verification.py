from dataclasses import KW_ONLY, dataclass

from domain.email_links import EmailPurpose
from domain.errors import EmailNotConfigured
from domain.model import Principal
from domain.usecases.send_email_link import SendEmailLink
from domain.usecases.who_am_i import WhoAmI


@dataclass(frozen=True, slots=True)
class RequestVerification:
    """Mail the caller a link that proves their address (`POST /auth/email/verification`)."""

    who_am_i: WhoAmI
    sender: SendEmailLink
    _: KW_ONLY
    enabled: bool

    async def execute(self, principal: Principal) -> None:
        """Mails nothing for an address already proven. Raises `EmailNotConfigured` where no
        mail is sent, `RateLimited` past the mails allowed to the address."""
        if not self.enabled:
            raise EmailNotConfigured("this deployment sends no mail")
        user = await self.who_am_i.execute(principal.user_id)
        if user.email_verified:
            return
        await self.sender.count(user.email)

        async def deliver() -> None:
            await self.sender.deliver(user, EmailPurpose.VERIFY)

        self.sender.later(deliver, "verification mail")
