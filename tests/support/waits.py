"""A scripted stand-in for the wait between a background task's rounds
(`entrypoints.background.Wait`)."""

from __future__ import annotations

import asyncio


class ScriptedWait:
    """A wait that lets `rounds` rounds through, then reports the stop (setting it)."""

    def __init__(self, rounds: int) -> None:
        self.rounds = rounds
        self.delays: list[float] = []

    async def __call__(self, stop: asyncio.Event, seconds: float) -> bool:
        self.delays.append(seconds)
        if len(self.delays) > self.rounds:
            stop.set()
        return stop.is_set()
