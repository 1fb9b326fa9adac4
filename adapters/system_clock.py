"""The Clock port on the system's wall clock."""

import time


class SystemClock:
    """Unix time in whole seconds, as JWT claims carry it."""

    def now(self) -> int:
        return int(time.time())
