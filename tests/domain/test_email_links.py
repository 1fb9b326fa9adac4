"""The rules of mailed links: tokens, their stored form, the link, and unproven passkeys."""

import hashlib
import string

from hypothesis import given
from hypothesis import strategies as st

from domain.email_links import (
    EmailLinks,
    EmailPurpose,
    Mail,
    added_while_unproven,
    email_token_hash,
    new_email_token,
)
from domain.model import CorbadoPasskey, User

URL_SAFE = set(string.ascii_letters + string.digits + "-_")


def test_a_token_is_256_random_bits_in_base64url() -> None:
    tokens = {new_email_token() for _ in range(50)}

    assert len(tokens) == 50
    assert all(len(token) == 43 and set(token) <= URL_SAFE for token in tokens)


@given(st.text())
def test_only_the_sha256_of_a_token_is_kept(token: str) -> None:
    expected = hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
    assert email_token_hash(token) == expected


def test_a_token_with_a_lone_surrogate_is_hashed_not_refused() -> None:
    # JSON's "\ud800" decodes to a lone surrogate, which strict UTF-8 cannot encode: such a token
    # must be an unknown token (400), never an encoding error (500).
    assert (
        email_token_hash("\ud800")
        == "91a681b998555fb475479817b126c94e57e52011fa1842c5d188795a4a05226b"
    )


def test_the_link_replaces_the_token_and_the_purpose() -> None:
    links = EmailLinks("https://app.example/email/{purpose}?token={token}")

    assert links.link(EmailPurpose.VERIFY, "abc") == "https://app.example/email/verify?token=abc"
    assert links.link(EmailPurpose.RECOVER, "x-y") == "https://app.example/email/recover?token=x-y"


def test_a_link_without_a_purpose_carries_the_token_alone() -> None:
    assert EmailLinks("https://app.example/#t={token}").link(EmailPurpose.RECOVER, "abc") == (
        "https://app.example/#t=abc"
    )


def test_a_mail_never_shows_its_link() -> None:
    mail = Mail("jane@example.com", EmailPurpose.RECOVER, "https://app.example/#recover=secret")

    assert repr(mail) == "Mail(to='jane@example.com', purpose='recover', link=<redacted>)"


def passkey(created_at: int) -> CorbadoPasskey:
    return CorbadoPasskey("cre-1", "usr-1", created_at)


def test_every_passkey_of_an_address_never_proven_was_added_while_unproven() -> None:
    assert added_while_unproven(passkey(0), None)
    assert added_while_unproven(passkey(2_000_000_000), None)


def test_a_passkey_added_up_to_the_second_of_the_proof_was_added_while_unproven() -> None:
    assert added_while_unproven(passkey(999), 1000)
    assert added_while_unproven(passkey(1000), 1000)
    assert not added_while_unproven(passkey(1001), 1000)


def test_a_user_is_verified_once_a_proof_is_recorded() -> None:
    unproven = User("u", "jane@example.com", "Jane", None, 0)

    assert not unproven.email_verified
    assert User("u", "jane@example.com", "Jane", None, 0, email_verified_at=0).email_verified
