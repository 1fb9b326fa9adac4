"""DeviceTokens whose tokens spell out their account and expiry."""

from dataclasses import dataclass

TTL_S = 3600


@dataclass(frozen=True, slots=True)
class FakeDevice:
    device_id: str


class FakeDeviceTokens:
    """Issues `device-<n>|<account>|<expiry>`; valid for that account until that expiry."""

    def __init__(self) -> None:
        self.issued = 0

    def issue(self, account: str, now: int) -> str:
        self.issued += 1
        return f"device-{self.issued}|{account}|{now + TTL_S}"

    def verify(self, token: str, account: str, now: int) -> FakeDevice | None:
        device, _, rest = token.partition("|")
        named, _, expiry = rest.partition("|")
        if named != account or not expiry.isdigit() or now >= int(expiry):
            return None
        return FakeDevice(device)
