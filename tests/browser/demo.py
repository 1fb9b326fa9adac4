"""A page of the demo as a test drives it: fields by their labels, buttons by their names, a
virtual authenticator (Chrome DevTools Protocol) and numbered screenshots."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, CDPSession, Locator, Page, expect

ARTIFACTS = Path(__file__).resolve().parents[2] / ".artifacts" / "browser"
PASSWORD = "correct horse battery"
# The authenticator of a phone or laptop: resident keys, user verification, no person needed.
AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}


def artifacts_folder(test_name: str) -> Path:
    """An empty folder for one test's screenshots: `.artifacts/browser/<test>/`."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", test_name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@dataclass
class Demo:
    """One tab on the demo, with its own virtual authenticator."""

    page: Page
    cdp: CDPSession
    authenticator_id: str
    folder: Path
    shots: list[Path] = field(default_factory=list)

    @classmethod
    def open(cls, context: BrowserContext, folder: Path, *, settled: bool = True) -> Demo:
        """A new tab on `/` with an authenticator (each tab needs its own); unless `settled` is
        False, once the page knows whether a session goes on (its first refresh answered)."""
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        added: dict[str, Any] = cdp.send(
            "WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR}
        )
        page.goto("/")
        if settled:
            expect(page.get_by_role("status")).not_to_have_text("Loading…")
        return cls(page, cdp, added["authenticatorId"], folder)

    def shot(self, name: str) -> None:
        """A screenshot of the whole page, numbered in the order taken."""
        path = self.folder / f"{len(self.shots) + 1:02d}-{name}.png"
        self.page.screenshot(path=path, full_page=True)
        self.shots.append(path)

    def field(self, label: str) -> Locator:
        return self.page.get_by_label(label, exact=True)

    def button(self, name: str) -> Locator:
        return self.page.get_by_role("button", name=name, exact=True)

    def alert(self, element_id: str) -> Locator:
        return self.page.locator(f"#{element_id}")

    def register(self, email: str, name: str = "Jane Doe") -> None:
        self.page.get_by_label("Display name").fill(name)
        self.page.locator("#register-email").fill(email)
        self.page.locator("#register-password").fill(PASSWORD)
        self.button("Create account").click()
        expect(self.page.get_by_role("status")).to_have_text(
            f"Account created for {email}. Log in with your password."
        )

    def password_login(self, email: str, password: str = PASSWORD) -> None:
        self.page.locator("#login-email").fill(email)
        self.page.locator("#login-password").fill(password)
        self.button("Log in with password").click()

    def passkey_login(self, email: str) -> None:
        self.page.locator("#login-email").fill(email)
        self.button("Log in with a passkey").click()

    def expect_account(self, email: str) -> None:
        expect(self.page.get_by_role("heading", name="Your account")).to_be_visible()
        expect(self.page.locator("#me-email")).to_have_text(email)

    def registered_and_logged_in(self, email: str) -> None:
        """A new account, logged in with its password, its account screen shown."""
        self.register(email)
        self.password_login(email)
        self.expect_account(email)

    def user_verified(self, verified: bool) -> None:
        """Whether the authenticator's user verification succeeds (False: the person refuses)."""
        self.cdp.send(
            "WebAuthn.setUserVerified",
            {"authenticatorId": self.authenticator_id, "isUserVerified": verified},
        )

    def passkeys(self) -> Locator:
        return self.page.locator("#passkeys li")

    def sessions(self) -> Locator:
        return self.page.locator("#sessions li")
