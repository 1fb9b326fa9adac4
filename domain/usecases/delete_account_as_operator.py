from dataclasses import dataclass

from domain.credentials import normalise_email
from domain.errors import AccountNotFound, InvalidInput
from domain.ports import Users
from domain.usecases.delete_account_everywhere import DeleteAccountEverywhere, DeletedAccount


@dataclass(frozen=True, slots=True)
class DeleteAccountAsOperator:
    """An operator deletes the account with this email (`connect-backend users delete`), no
    login of the owner's needed: the address's account, then `DeleteAccountEverywhere`."""

    users: Users
    delete_account_everywhere: DeleteAccountEverywhere

    async def execute(self, email: str) -> DeletedAccount:
        """Raises `AccountNotFound` for an address no account has, else as
        `DeleteAccountEverywhere`."""
        try:
            user = await self.users.by_email(normalise_email(email))
        except InvalidInput as error:
            raise AccountNotFound("no account has this email address") from error
        if user is None:
            raise AccountNotFound("no account has this email address")
        return await self.delete_account_everywhere.execute(user)
