"""The demo's journey in Chromium: password, then passkeys, as a person would use it."""

from __future__ import annotations

import re

from playwright.sync_api import Request, Route, expect

from tests.browser.demo import Demo


def test_register_add_a_passkey_log_in_with_it_delete_it(demo: Demo) -> None:
    email = "passkey.journey@example.com"
    demo.shot("start")
    demo.register(email)
    demo.shot("registered")

    demo.password_login(email)
    demo.expect_account(email)
    expect(demo.page.locator("#me-amr")).to_have_text("password")
    expect(demo.passkeys()).to_have_text(["No passkeys yet."])
    demo.shot("password-login")

    demo.button("Add a passkey").click()
    expect(demo.page.get_by_role("status")).to_have_text(
        "Passkey added: you can log in with it next time."
    )
    expect(demo.passkeys()).to_have_count(1)
    expect(demo.passkeys().first).to_contain_text("Passkey cre-")
    demo.shot("passkey-added")

    demo.button("Log out").click()
    expect(demo.page.get_by_role("heading", name="Log in")).to_be_visible()
    demo.shot("logged-out")

    demo.passkey_login(email)
    demo.expect_account(email)
    expect(demo.page.locator("#me-amr")).to_contain_text("passkey (hwk)")
    expect(demo.sessions()).to_contain_text([re.compile("^This session: passkey login")])
    demo.shot("passkey-login")

    demo.passkeys().first.get_by_role("button", name=re.compile("^Delete")).click()
    # Deleting the passkey ended the sessions it had opened, this one among them.
    expect(demo.page.get_by_role("status")).to_have_text(
        "Passkey deleted. The sessions it had opened have ended, this one too."
    )
    expect(demo.page.get_by_role("heading", name="Log in")).to_be_visible()
    demo.shot("passkey-deleted")

    demo.passkey_login(email)
    expect(demo.alert("login-error")).to_have_text(
        "This account has no passkey. Log in with your password, then add one."
    )
    demo.shot("passkey-login-refused")


def test_a_wrong_password_and_a_cancelled_ceremony_say_what_happened(demo: Demo) -> None:
    email = "careful.user@example.com"
    demo.register(email)
    demo.password_login(email, "not the password")
    expect(demo.alert("login-error")).to_have_text("Wrong email or password.")
    demo.shot("wrong-password")

    demo.password_login(email)
    demo.expect_account(email)
    demo.user_verified(False)
    demo.button("Add a passkey").click()
    expect(demo.alert("passkeys-error")).to_have_text(
        "The passkey request was cancelled or timed out. Nothing changed."
    )
    expect(demo.passkeys()).to_have_text(["No passkeys yet."])
    demo.shot("ceremony-cancelled")


def test_an_access_token_refused_as_expired_is_refreshed_silently(demo: Demo) -> None:
    email = "long.session@example.com"
    demo.registered_and_logged_in(email)
    refreshes: list[str] = []
    demo.page.on("request", lambda request: _note_refresh(request, refreshes))

    def expired(route: Route) -> None:
        # The token this call carries is refused by the service itself (401 invalid_token), as
        # an expired one is; the page must refresh and make the call again, once.
        route.continue_(headers={**route.request.headers, "authorization": "Bearer expired"})

    demo.page.route("**/auth/createConnectToken", expired, times=1)
    demo.button("Add a passkey").click()
    expect(demo.page.get_by_role("status")).to_have_text(
        "Passkey added: you can log in with it next time."
    )
    expect(demo.alert("passkeys-error")).to_be_empty()
    assert refreshes == ["POST"], "one refresh, then the call again"
    demo.shot("refreshed-silently")


def test_the_access_token_is_refreshed_before_it_expires(demo: Demo) -> None:
    email = "timely.refresh@example.com"
    demo.registered_and_logged_in(email)
    # The page's timers from here on run on a clock the test moves; the page starts again from
    # the refresh cookie, and its next refresh is due 30 s before the access token expires.
    demo.page.clock.install()
    demo.page.reload()
    demo.expect_account(email)
    with demo.page.expect_request("**/auth/refresh") as refresh:
        demo.page.clock.fast_forward(EXPIRES_IN_S * 1000)
    answer = refresh.value.response()
    assert answer is not None
    assert answer.status == 200
    demo.expect_account(email)
    expect(demo.alert("sessions-error")).to_be_empty()
    demo.shot("refreshed-before-expiry")


def test_a_new_tab_refreshes_after_the_other_tabs_refresh_and_starts_from_the_cookie(
    demo: Demo,
) -> None:
    email = "two.tabs@example.com"
    demo.registered_and_logged_in(email)
    # The first tab holds the demo's refresh lock, as it does while its own refresh is out.
    demo.page.evaluate(HOLD_REFRESH_LOCK)
    refreshes: list[str] = []
    demo.page.context.on("request", lambda request: _note_refresh(request, refreshes))
    second = Demo.open(demo.page.context, demo.folder, settled=False)
    expect(second.page.get_by_role("status")).to_have_text("Loading…")
    assert refreshes == [], "the second tab waits for the lock before it refreshes"

    demo.page.evaluate("window.releaseRefreshLock()")
    second.expect_account(email)
    assert refreshes == ["POST"]
    second.shot("second-tab")


# `dev`'s access-token lifetime (ACCESS_TOKEN_TTL_S's default).
EXPIRES_IN_S = 900
# Takes the lock and keeps it until `window.releaseRefreshLock()`; resolves once it is taken.
HOLD_REFRESH_LOCK = """() => new Promise((taken) =>
  navigator.locks.request("connect-backend-refresh", () => {
    taken();
    return new Promise((release) => { window.releaseRefreshLock = release; });
  }))"""


def _note_refresh(request: Request, refreshes: list[str]) -> None:
    if request.url.endswith("/auth/refresh"):
        refreshes.append(request.method)
