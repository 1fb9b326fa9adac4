"""The emulator's users, identifiers and passkeys in a JSON file, so they survive a restart.

Every change is written to the file at once (a new file renamed over the old one), and the file
is read back at start, so passkeys a browser made survive a restart of `dev`. The process that
runs the emulator owns the file: another process writing it meanwhile (`users delete` while
`dev` runs) is overwritten at the next change.
"""

import os
import tempfile
from pathlib import Path

import msgspec

from corbado_emulator.records import Credential, Identifier, User

STATE_VERSION = 1


class State(msgspec.Struct):
    """Everything the file holds, each list the oldest first."""

    version: int
    users: list[User]
    identifiers: list[Identifier]
    credentials: list[Credential]


def read_state(path: Path) -> State | None:
    """The state kept in `path`, None if there is no such file; ValueError if it is not one."""
    if not path.exists():
        return None
    try:
        state = msgspec.json.decode(path.read_bytes(), type=State)
        if state.version != STATE_VERSION:
            raise ValueError(f"emulator state version {state.version}, expected {STATE_VERSION}")
    except (msgspec.DecodeError, ValueError) as exc:
        raise ValueError(
            f"{path} is not the emulator's state ({exc}); delete it to start over"
        ) from exc
    return state


def write_state(
    path: Path, users: list[User], identifiers: list[Identifier], credentials: list[Credential]
) -> None:
    """Replace the file at `path` with these, whole."""
    state = State(STATE_VERSION, users, identifiers, credentials)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A reader (or a crash) sees the old file or the new one, never half of one.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".emulator-")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(msgspec.json.encode(state))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
