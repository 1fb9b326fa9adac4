"""How our users map to Corbado's `identifier` / `webauthnId`, one rule for both directions."""

from domain.credentials import normalise_email
from domain.errors import InvalidInput
from domain.model import IdentifierKind, User
from domain.ports import Users


def identifier_of(user: User, kind: IdentifierKind) -> str:
    """The value we register with Corbado for `user`."""
    return user.email if kind is IdentifierKind.EMAIL else user.id


async def find_by_identifier(users: Users, kind: IdentifierKind, identifier: str) -> User | None:
    """The user a `webauthnId` names, normalised exactly as `identifier_of` produced it."""
    if kind is IdentifierKind.USER_ID:
        return await users.by_id(identifier)
    try:
        return await users.by_email(normalise_email(identifier))
    except InvalidInput:
        return None
