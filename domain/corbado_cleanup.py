"""What account deletion and account recovery take away at Corbado, shared by both."""

from domain.email_links import added_while_unproven
from domain.ports import CorbadoAccounts, IssuedConnectTokens


async def delete_live_connect_tokens(
    issued_tokens: IssuedConnectTokens, corbado: CorbadoAccounts, user_id: str, now: int
) -> int:
    """Delete at Corbado every connect token of the account that may still be used (an expired
    one is of no use to anyone), forgetting each once Corbado confirmed; how many."""
    live = await issued_tokens.live_for(user_id, now)
    for token_id in live:
        await corbado.delete_connect_token(token_id)
        await issued_tokens.forget(user_id, token_id)
    return len(live)


async def delete_unproven_passkeys(
    corbado: CorbadoAccounts, identifier: str, verified_at: int | None
) -> int:
    """Delete at Corbado every passkey under `identifier` added while the account's address
    was unproven (before `verified_at`, or ever when it is None); how many."""
    deleted = 0
    for corbado_user_id in await corbado.user_ids_for(identifier):
        for passkey in await corbado.passkeys_of(corbado_user_id):
            if added_while_unproven(passkey, verified_at):
                await corbado.delete_passkey(corbado_user_id, passkey.credential_id)
                deleted += 1
    return deleted
