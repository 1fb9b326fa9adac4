"""Session lists, ending sessions, deleted passkeys, recent authentication, account deletion,
and the revocation feed."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from domain.errors import (
    FeedAccessDenied,
    InvalidAccessToken,
    InvalidRefreshToken,
    ReauthenticationRequired,
    SessionNotFound,
)
from domain.model import (
    PASSKEY_AMR,
    PASSWORD_AMR,
    ConnectTokenType,
    IdentifierKind,
    Principal,
    SessionOrigin,
)
from domain.ports.audit import AuditAction, AuditEvent
from domain.usecases.delete_own_account import DeleteOwnAccount
from domain.usecases.end_all_sessions import EndAllSessions
from domain.usecases.end_own_session import EndOwnSession
from domain.usecases.forget_passkey import ForgetPasskey
from domain.usecases.issue_connect_token import IssueConnectToken
from domain.usecases.list_sessions import ListSessions
from domain.usecases.read_revocations import ReadRevocations
from tests.domain.conftest import POLICY, World, build_world
from tests.fakes.fake_corbado import FakeCorbadoConnect

FEED_SECRET = "feed-secret-0123456789"


class Account:
    """The self-service use cases over one world."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.list = ListSessions(world.sessions, world.clock, world.policy)
        self.end_own = EndOwnSession(self.list, world.end_session)
        self.end_all = EndAllSessions(self.list, world.end_session)
        self.forget = ForgetPasskey(self.list, world.end_session)
        self.delete = DeleteOwnAccount(
            world.who_am_i, world.delete_account_everywhere, world.clock, world.policy
        )
        self.feed = ReadRevocations(world.revocation_log, world.policy, FEED_SECRET)

    async def login(
        self, user_id: str, *, credential: str | None = None, agent: str | None = None
    ) -> Principal:
        amr = PASSKEY_AMR if credential else PASSWORD_AMR
        pair = await self.world.start_session.execute(
            user_id, amr, SessionOrigin(user_agent=agent, credential_id=credential)
        )
        return await self.world.authenticate.execute(pair.access_token)


@pytest.fixture
def account(world: World) -> Account:
    return Account(world)


async def test_the_list_shows_live_sessions_with_their_origin(account: Account) -> None:
    first = await account.login("user-1", agent="Firefox\x00 on Linux")
    account.world.clock.advance(5)
    second = await account.login("user-1", credential="cre-1")
    await account.login("user-2")
    ended = await account.login("user-1")
    await account.world.end_session.execute(
        ended.session_id, user_id=ended.user_id, reason="logout"
    )
    sessions = await account.list.execute("user-1")
    assert [s.id for s in sessions] == [second.session_id, first.session_id]
    assert [s.method for s in sessions] == ["passkey", "password"]
    assert sessions[1].user_agent == "Firefox on Linux"


async def test_ending_one_of_your_own_sessions(account: Account) -> None:
    mine = await account.login("user-1")
    other = await account.login("user-1")
    await account.end_own.execute("user-1", other.session_id)
    assert [s.id for s in await account.list.execute("user-1")] == [mine.session_id]


async def test_another_users_session_is_not_found_and_survives(account: Account) -> None:
    await account.login("user-1")
    theirs = await account.login("user-2")
    with pytest.raises(SessionNotFound):
        await account.end_own.execute("user-1", theirs.session_id)
    with pytest.raises(SessionNotFound):
        await account.end_own.execute("user-1", "no-such-session")
    assert [s.id for s in await account.list.execute("user-2")] == [theirs.session_id]


async def test_logout_everywhere_ends_every_session_of_the_user_only(account: Account) -> None:
    await account.login("user-1")
    await account.login("user-1")
    other = await account.login("user-2")
    assert len(await account.end_all.execute("user-1")) == 2
    assert await account.list.execute("user-1") == []
    assert [s.id for s in await account.list.execute("user-2")] == [other.session_id]


async def test_a_deleted_passkey_ends_the_sessions_it_opened(account: Account) -> None:
    by_passkey = await account.login("user-1", credential="cre-1")
    by_other_passkey = await account.login("user-1", credential="cre-2")
    by_password = await account.login("user-1")
    someone_elses = await account.login("user-2", credential="cre-1")
    assert await account.forget.execute("user-1", "cre-1") == [by_passkey.session_id]
    remaining = {s.id for s in await account.list.execute("user-1")}
    assert remaining == {by_other_passkey.session_id, by_password.session_id}
    assert len(await account.list.execute("user-2")) == 1
    assert someone_elses.session_id not in remaining


@settings(max_examples=100, deadline=None)
@given(age=st.integers(0, 3 * POLICY.sensitive_action_max_age_s))
@example(age=POLICY.sensitive_action_max_age_s)
@example(age=POLICY.sensitive_action_max_age_s + 1)
async def test_sensitive_connect_tokens_need_a_recent_login(age: int) -> None:
    world = build_world()
    user = await world.create_user.execute("jane@example.com", "correct horse", "Jane")
    corbado = FakeCorbadoConnect()
    issue = IssueConnectToken(
        world.who_am_i,
        corbado,
        corbado,
        world.issued_tokens,
        world.clock,
        world.policy,
        IdentifierKind.EMAIL,
    )
    principal = Principal(user.id, "session-1", world.clock.now(), PASSWORD_AMR)
    world.clock.advance(age)
    assert await issue.execute(principal, ConnectTokenType.PASSKEY_LIST)
    assert await issue.execute(principal, ConnectTokenType.PASSKEY_LOGIN)
    for sensitive in (ConnectTokenType.PASSKEY_APPEND, ConnectTokenType.PASSKEY_DELETE):
        if age <= POLICY.sensitive_action_max_age_s:
            assert await issue.execute(principal, sensitive)
        else:
            with pytest.raises(ReauthenticationRequired):
                await issue.execute(principal, sensitive)


async def test_account_deletion_needs_a_recent_login(account: Account) -> None:
    user = await account.world.create_user.execute("jane@example.com", "correct horse", "Jane")
    principal = await account.login(user.id)
    account.world.clock.advance(POLICY.sensitive_action_max_age_s + 1)
    with pytest.raises(ReauthenticationRequired):
        await account.delete.execute(principal)
    assert await account.world.users.by_id(user.id) is not None


async def test_account_deletion_removes_the_user_and_ends_every_session(account: Account) -> None:
    world = account.world
    user = await world.create_user.execute("jane@example.com", "correct horse", "Jane")
    pair = await world.password_login.execute("jane@example.com", "correct horse")
    principal = await world.authenticate.execute(pair.access_token)
    other = await account.login(user.id)
    deleted = await account.delete.execute(principal)
    assert set(deleted.ended_session_ids) == {principal.session_id, other.session_id}
    assert world.audit.events[-1] == AuditEvent(
        AuditAction.ACCOUNT_DELETED,
        user_id=user.id,
        session_id=principal.session_id,
        removed="user, 2 sessions, their refresh tokens, 0 connect tokens and 0 Corbado users",
    )
    ended_reasons = [e.reason for e in world.audit.events if e.action is AuditAction.SESSION_ENDED]
    assert ended_reasons == ["account_deleted", "account_deleted"]
    assert await world.users.by_id(user.id) is None
    with pytest.raises(InvalidAccessToken):
        await world.authenticate.execute(pair.access_token)
    with pytest.raises(InvalidRefreshToken):
        await world.refresh.execute(pair.refresh_token)


async def test_the_feed_lists_revocations_after_a_cursor(account: Account) -> None:
    first = await account.login("user-1")
    second = await account.login("user-2")
    await account.world.end_session.execute(
        first.session_id, user_id=first.user_id, reason="logout"
    )
    page = await account.feed.execute(FEED_SECRET, cursor=0)
    assert [entry.session_id for entry in page.entries] == [first.session_id]
    now = account.world.clock.now()
    assert page.entries[0].deny_until == now + POLICY.revocation_ttl_s
    await account.world.end_session.execute(
        second.session_id, user_id=second.user_id, reason="logout"
    )
    later = await account.feed.execute(FEED_SECRET, cursor=page.next_cursor)
    assert [entry.session_id for entry in later.entries] == [second.session_id]
    empty = await account.feed.execute(FEED_SECRET, cursor=later.next_cursor)
    assert (empty.entries, empty.next_cursor) == ((), later.next_cursor)


@pytest.mark.parametrize("presented", ["", "wrong", FEED_SECRET + "x", FEED_SECRET[:-1]])
async def test_the_feed_needs_its_secret(account: Account, presented: str) -> None:
    with pytest.raises(FeedAccessDenied):
        await account.feed.execute(presented, cursor=0)


async def test_a_feed_without_a_configured_secret_is_closed(world: World) -> None:
    closed = ReadRevocations(world.revocation_log, world.policy, None)
    with pytest.raises(FeedAccessDenied):
        await closed.execute("", cursor=0)


@pytest.mark.parametrize("idle", [POLICY.session_idle_timeout_s - 1, POLICY.session_idle_timeout_s])
async def test_a_session_idle_for_the_timeout_has_ended(account: Account, idle: int) -> None:
    await account.login("user-1")
    account.world.clock.advance(idle)
    listed = await account.list.execute("user-1")
    assert len(listed) == (1 if idle < POLICY.session_idle_timeout_s else 0)


@pytest.mark.parametrize("limit", [-1, 0, 1])
async def test_the_smallest_feed_page_holds_one_revocation(account: Account, limit: int) -> None:
    for user_id in ("user-1", "user-2"):
        principal = await account.login(user_id)
        await account.world.end_session.execute(
            principal.session_id, user_id=user_id, reason="logout"
        )
    page = await account.feed.execute(FEED_SECRET, cursor=0, limit=limit)
    assert len(page.entries) == 1


async def test_a_feed_secret_with_a_lone_surrogate_is_just_wrong(account: Account) -> None:
    with pytest.raises(FeedAccessDenied):
        await account.feed.execute(FEED_SECRET + "\ud800", cursor=0)
