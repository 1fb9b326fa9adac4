from dataclasses import dataclass

from domain.credentials import normalise_email
from domain.errors import AccountNotFound, InvalidInput
from domain.ports import Users
from domain.usecases.close_account import CloseAccount, DeletedAccount


@dataclass(frozen=True, slots=True)
class DeleteUser:
    """An operator deletes the account with this email (`connect-backend users delete`)."""

    users: Users
    close_account: CloseAccount

    async def execute(self, email: str) -> DeletedAccount:
        """Raises `AccountNotFound` for an address no account has, else as `CloseAccount`."""
        try:
            user = await self.users.by_email(normalise_email(email))
        except InvalidInput as error:
            raise AccountNotFound("no account has this email address") from error
        if user is None:
            raise AccountNotFound("no account has this email address")
        return await self.close_account.execute(user)
