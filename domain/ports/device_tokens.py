from typing import Protocol


class TrustedDevice(Protocol):
    """A client a valid device token names."""

    @property
    def device_id(self) -> str: ...


class DeviceTokens(Protocol):
    """Signed tokens naming a client that logged in to an account before (decision 0008)."""

    def issue(self, account: str, now: int) -> str:
        """A new token for a client that just logged in to `account`."""
        ...

    def verify(self, token: str, account: str, now: int) -> TrustedDevice | None:
        """The device, if `token` is valid for `account` at `now`; else None."""
        ...
