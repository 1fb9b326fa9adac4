"""The Users port with `by_id` answered from this process's memory for a short while.

Every authenticated request that shows or uses the caller's profile (`GET /auth/me`,
`createConnectToken`) reads the user by id; a database round trip each time cost more than the
rest of the request. A user's id, email and display name never change, so a cached copy is only
ever stale about the password hash (nothing that reads by id checks it), about the user's
existence, or about a proof of its address: `set_password_hash`, `prove_email` and `delete` drop
the entry in this process, and a deletion in another worker also revokes every session of the
user, so its tokens are refused before any lookup. What remains is bounded by `ttl_s` (a proof
made through another worker shows there that much later).
"""

from __future__ import annotations

from collections.abc import Callable

from cachetools import TTLCache

from domain.model import User
from domain.ports import Users


class CachedUsers:
    """A Users store whose `by_id` hits come from a bounded TTL cache; misses are not cached."""

    def __init__(
        self, store: Users, *, max_entries: int, ttl_s: float, timer: Callable[[], float]
    ) -> None:
        self._store = store
        self._cache: TTLCache[str, User] = TTLCache(max_entries, ttl_s, timer)
        # Bumped by every change: a read that raced a change must not put its answer back.
        self._generation = 0

    async def add(self, user: User) -> None:
        await self._store.add(user)

    async def by_id(self, user_id: str) -> User | None:
        cached = self._cache.get(user_id)
        if cached is not None:
            return cached
        generation = self._generation
        user = await self._store.by_id(user_id)
        if user is not None and generation == self._generation:
            self._cache[user_id] = user
        return user

    async def by_email(self, email: str) -> User | None:
        return await self._store.by_email(email)

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        self._forget(user_id)
        try:
            await self._store.set_password_hash(user_id, password_hash)
        finally:
            self._forget(user_id)

    async def prove_email(self, user_id: str, at: int) -> None:
        self._forget(user_id)
        try:
            await self._store.prove_email(user_id, at)
        finally:
            self._forget(user_id)

    async def delete(self, user_id: str) -> bool:
        self._forget(user_id)
        try:
            return await self._store.delete(user_id)
        finally:
            self._forget(user_id)

    async def mark_for_deletion(self, user_id: str, until: int) -> bool:
        self._forget(user_id)
        try:
            return await self._store.mark_for_deletion(user_id, until)
        finally:
            self._forget(user_id)

    async def clear_deletion_mark(self, user_id: str) -> None:
        self._forget(user_id)
        try:
            await self._store.clear_deletion_mark(user_id)
        finally:
            self._forget(user_id)

    def _forget(self, user_id: str) -> None:
        self._generation += 1
        self._cache.pop(user_id, None)
