"""Each operation declares its own rate limit beside its route; one table turns the classes into
the settings' numbers. (What the policies do to requests: tests/http.)"""

import re
from typing import Any

import pytest

from entrypoints.configuration.settings import RateLimitSettings
from entrypoints.web.account import AccountController
from entrypoints.web.email import EmailController
from entrypoints.web.observability import request_id_of
from entrypoints.web.operations import DiscoveryController, HealthController
from entrypoints.web.passkeys import PasskeysController
from entrypoints.web.policies import RateLimitClass, class_limits, rate_limited
from entrypoints.web.sessions import SessionsController

DECLARED = {
    SessionsController.register: RateLimitClass.REGISTER,
    SessionsController.login: RateLimitClass.LOGIN,
    SessionsController.refresh: RateLimitClass.REFRESH,
    PasskeysController.create_connect_token: RateLimitClass.CREATE_CONNECT_TOKEN,
    PasskeysController.complete_login: RateLimitClass.COMPLETE_LOGIN,
    EmailController.request_email_verification: RateLimitClass.EMAIL_VERIFICATION,
    EmailController.verify_email: RateLimitClass.EMAIL_VERIFY,
    EmailController.request_recovery: RateLimitClass.RECOVERY,
    EmailController.complete_recovery: RateLimitClass.RECOVERY_COMPLETE,
}
UNLIMITED = [
    SessionsController.logout,
    SessionsController.me,
    AccountController.list_sessions,
    AccountController.end_session,
    AccountController.passkey_deleted,
    AccountController.delete_account,
    AccountController.revocations,
    DiscoveryController.jwks,
    HealthController.healthz,
    HealthController.readyz,
]


@pytest.mark.parametrize(("handler", "kind"), DECLARED.items())
def test_each_limited_operation_declares_its_class(handler: Any, kind: RateLimitClass) -> None:
    assert rate_limited(kind).items() <= handler.opt.items()


@pytest.mark.parametrize("handler", UNLIMITED)
def test_the_other_operations_declare_none(handler: Any) -> None:
    assert not any(rate_limited(kind).items() <= handler.opt.items() for kind in RateLimitClass)


def test_each_class_takes_its_number_from_the_settings_and_is_named_by_its_value() -> None:
    settings = RateLimitSettings(
        login_per_ip=1, register_per_ip=2, refresh_per_ip=3, passkey_per_ip=4, email_per_ip=5
    )
    limits = class_limits(settings)
    assert {kind: limit.per_window for kind, limit in limits.items()} == {
        RateLimitClass.LOGIN: 1,
        RateLimitClass.REGISTER: 2,
        RateLimitClass.REFRESH: 3,
        RateLimitClass.COMPLETE_LOGIN: 4,
        RateLimitClass.CREATE_CONNECT_TOKEN: 4,
        RateLimitClass.EMAIL_VERIFICATION: 5,
        RateLimitClass.EMAIL_VERIFY: 5,
        RateLimitClass.RECOVERY: 5,
        RateLimitClass.RECOVERY_COMPLETE: 5,
    }
    assert all(limit.name == kind.value for kind, limit in limits.items())
    # The names are the counters' keys and metric labels, as before the classes.
    assert [kind.value for kind in RateLimitClass] == [
        "login",
        "register",
        "refresh",
        "complete-login",
        "create-connect-token",
        "email-verification",
        "email-verify",
        "recovery",
        "recovery-complete",
    ]


def scope(*headers: tuple[bytes, bytes]) -> Any:
    return {"type": "http", "headers": list(headers)}


def test_fresh_request_ids_are_32_hex_digits_and_never_repeat() -> None:
    ids = [request_id_of(scope()) for _ in range(1000)]
    assert all(re.fullmatch(r"[0-9a-f]{32}", each) for each in ids)
    assert len(set(ids)) == len(ids)


def test_another_process_takes_another_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    here = request_id_of(scope())
    monkeypatch.setattr("os.getpid", lambda: 0x7FFFFF)
    forked = request_id_of(scope())
    assert forked[:6] == "7fffff"
    assert forked[:16] != here[:16]


def test_a_request_keeps_its_id_and_a_well_formed_offered_one_is_taken() -> None:
    request = scope((b"x-request-id", b"abc-1.2_3"))
    assert request_id_of(request) == "abc-1.2_3"
    request["headers"] = []
    assert request_id_of(request) == "abc-1.2_3"
    refused = request_id_of(scope((b"x-request-id", b"a b")))
    assert re.fullmatch(r"[0-9a-f]{32}", refused)
