"""The demo's mail screens in Chromium, through dev's outbox: confirm the address, forget the
password, set a new one."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.browser.demo import PASSWORD, Demo

NEW_PASSWORD = "a brand new passphrase"
# How long a mail may take to reach dev's outbox after the answer that sends it.
MAIL_WAIT_S = 10


def open_newest_mail(demo: Demo, text: str) -> None:
    """Check the outbox until its newest mail holds `text`, then open its link: mail goes out
    only after the request's answer, so the first look may come before it."""
    mail = demo.page.locator("#outbox-mails li").first
    deadline = time.monotonic() + MAIL_WAIT_S
    while True:
        demo.button("Check mail").click()
        try:
            expect(mail).to_contain_text(text, timeout=500)
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
    mail.get_by_role("button", name="Open link").click()


def test_confirm_the_address_then_recover_the_account_by_mail(demo: Demo) -> None:
    email = "mail.journey@example.com"
    demo.registered_and_logged_in(email)
    expect(demo.page.locator("#me-verified")).to_have_text("not confirmed")

    demo.button("Confirm my email").click()
    expect(demo.page.get_by_role("status")).to_have_text(
        "A confirmation link is on its way: see Mail below."
    )
    open_newest_mail(demo, f"Confirmation link for {email}")
    expect(demo.page.get_by_role("status")).to_have_text("Your email address is confirmed.")
    expect(demo.page.locator("#me-verified")).to_have_text("confirmed")
    assert "#" not in demo.page.url
    demo.shot("address-confirmed")

    demo.button("Log out").click()
    expect(demo.page.get_by_role("heading", name="Log in")).to_be_visible()
    demo.page.get_by_label("Email for the recovery link").fill(email)
    demo.button("Send recovery link").click()
    expect(demo.page.get_by_role("status")).to_contain_text("a recovery link is on its way")
    open_newest_mail(demo, f"Recovery link for {email}")
    expect(demo.page.get_by_role("heading", name="Set a new password")).to_be_visible()
    demo.shot("set-a-new-password")

    demo.page.locator("#new-password-input").fill(NEW_PASSWORD)
    demo.button("Set password").click()
    demo.expect_account(email)
    expect(demo.page.get_by_role("status")).to_have_text(
        "Password changed. Every other session has ended."
    )
    demo.shot("recovered")

    demo.button("Log out").click()
    demo.password_login(email, PASSWORD)
    expect(demo.alert("login-error")).to_have_text("Wrong email or password.")
    demo.password_login(email, NEW_PASSWORD)
    demo.expect_account(email)


def test_a_used_recovery_link_says_so(demo: Demo) -> None:
    email = "used.link@example.com"
    demo.register(email)
    demo.page.get_by_label("Email for the recovery link").fill(email)
    demo.button("Send recovery link").click()
    open_newest_mail(demo, f"Recovery link for {email}")
    demo.page.locator("#new-password-input").fill(NEW_PASSWORD)
    demo.button("Set password").click()
    demo.expect_account(email)

    demo.button("Log out").click()
    open_newest_mail(demo, f"Recovery link for {email}")
    demo.page.locator("#new-password-input").fill("yet another passphrase")
    demo.button("Set password").click()
    expect(demo.alert("new-password-error")).to_have_text(
        "This link is used, expired or unknown. Ask for a new one."
    )
