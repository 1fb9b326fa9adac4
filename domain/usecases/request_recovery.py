from dataclasses import KW_ONLY, dataclass

from domain.credentials import normalise_email
from domain.email_links import EmailPurpose
from domain.errors import EmailNotConfigured
from domain.ports import Clock, Users
from domain.usecases.send_email_link import SendEmailLink


@dataclass(frozen=True, slots=True)
class RequestRecovery:
    """Mail a recovery link to an address, if an account holds it (`POST /auth/recovery`).

    The caller learns nothing about the address: the request does the same work whether or not
    an account holds it (the address is checked and counted); finding the account, issuing the
    token and mailing happen after the answer.
    """

    users: Users
    sender: SendEmailLink
    clock: Clock
    _: KW_ONLY
    enabled: bool

    async def execute(self, email: str) -> None:
        """Raises `InvalidEmail` for what cannot be an address, `RateLimited` past the mails
        allowed to it, `EmailNotConfigured` where no mail is sent."""
        if not self.enabled:
            raise EmailNotConfigured("this deployment sends no mail")
        address = normalise_email(email)
        await self.sender.count(address)

        async def deliver() -> None:
            await self._deliver(address)

        self.sender.later(deliver, "recovery mail")

    async def _deliver(self, address: str) -> None:
        user = await self.users.by_email(address)
        if user is None or user.is_being_deleted(self.clock.now()):
            return
        await self.sender.deliver(user, EmailPurpose.RECOVER)
