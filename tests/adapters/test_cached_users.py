"""What the user cache adds to the Users contract: hits skip the store, changes are never
served stale by this process, and entries age out."""

import asyncio

from adapters.cached_users import CachedUsers
from domain.model import User
from tests.fakes.fake_users import FakeUsers

TTL_S = 30.0
JANE = User("user-1", "jane@example.com", "Jane", "hash-1", 1_700_000_000)


class CountingUsers(FakeUsers):
    """The fake store, counting `by_id` reads and able to hold one open."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0
        self.hold: asyncio.Event | None = None

    async def by_id(self, user_id: str) -> User | None:
        self.reads += 1
        user = await super().by_id(user_id)
        if self.hold is not None:
            await self.hold.wait()
        return user


class Timer:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def cached() -> tuple[CachedUsers, CountingUsers, Timer]:
    store, timer = CountingUsers(), Timer()
    await store.add(JANE)
    return CachedUsers(store, max_entries=10, ttl_s=TTL_S, timer=timer), store, timer


async def test_a_second_read_is_served_from_memory_until_the_entry_ages_out() -> None:
    users, store, timer = await cached()
    assert await users.by_id("user-1") == JANE
    timer.now = TTL_S - 1
    assert await users.by_id("user-1") == JANE
    assert store.reads == 1
    timer.now = TTL_S
    assert await users.by_id("user-1") == JANE
    assert store.reads == 2


async def test_unknown_users_are_asked_again_every_time() -> None:
    users, store, _ = await cached()
    assert await users.by_id("nobody") is None
    await store.add(User("nobody", "late@example.com", "Late", None, 0))
    assert await users.by_id("nobody") is not None


async def test_a_new_password_hash_is_read_at_once() -> None:
    users, _, _ = await cached()
    await users.by_id("user-1")
    await users.set_password_hash("user-1", "hash-2")
    user = await users.by_id("user-1")
    assert user is not None
    assert user.password_hash == "hash-2"


async def test_a_deleted_user_is_gone_at_once() -> None:
    users, _, _ = await cached()
    await users.by_id("user-1")
    assert await users.delete("user-1")
    assert await users.by_id("user-1") is None


async def test_a_read_that_raced_a_deletion_does_not_bring_the_user_back() -> None:
    users, store, _ = await cached()
    store.hold = asyncio.Event()
    racing_read = asyncio.create_task(users.by_id("user-1"))
    await asyncio.sleep(0)
    assert await users.delete("user-1")
    store.hold.set()
    assert await racing_read == JANE
    store.hold = None
    assert await users.by_id("user-1") is None


async def test_the_cache_holds_at_most_max_entries() -> None:
    store, timer = CountingUsers(), Timer()
    users = CachedUsers(store, max_entries=2, ttl_s=TTL_S, timer=timer)
    for n in range(3):
        await store.add(User(f"user-{n}", f"u{n}@example.com", "U", None, 0))
        await users.by_id(f"user-{n}")
    reads = store.reads
    for n in range(3):
        await users.by_id(f"user-{n}")
    assert store.reads > reads
