"""One identity per address: `normalise_email` is Unicode canonical caseless matching, in NFC.

Decision 0010 and docs/security.md ("One identity per address") say why; these tests pin what.
"""

import sys
import unicodedata

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from domain.credentials import _MAX_DECOMPOSITION, MAX_EMAIL_LENGTH, normalise_email
from domain.errors import InvalidEmail


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def canonical_caseless(text: str) -> str:
    """Unicode D145, the definition the key must agree with."""
    return nfd(nfd(text).casefold())


def key_or_none(text: str) -> str | None:
    try:
        return normalise_email(text)
    except InvalidEmail:
        return None


# Letters whose case, composition or folding is where implementations differ: precomposed and
# decomposed accents, sharp s, the Turkish i's, final sigma, the Kelvin and Angstrom signs, the
# ypogegrammeni that made §3.13 put NFD inside the fold, Hangul syllables and their jamo.
_TRICKY = [
    "e", "é", "e\u0301", "É", "E\u0301", "ß", "ẞ", "s", "S", "ss", "İ", "I", "\u0131", "i",
    "i\u0307", "ς", "\u03c3", "Σ", "\u212a", "k", "K", "\u212b", "å", "Å", "a\u030a", "\u0345",
    "\u03b9", "ᾅ", "\u1f05\u0345", "ω", "\u0323", "\u0307", "한", "\u1112\u1161\u11ab",
    "ǅ", "ǆ", "Ǆ",
]  # fmt: skip
_part = st.lists(st.sampled_from(_TRICKY), min_size=1, max_size=8).map("".join)
tricky_emails = st.builds("{}@{}.example".format, _part, _part)
# Any text without "@", whitespace or control characters: a valid address unless it folds long.
_any_part = st.text(
    st.characters(exclude_categories=("Cc", "Cs", "Zs", "Zl", "Zp"), exclude_characters="@"),
    min_size=1,
    max_size=40,
).filter(lambda part: not any(ch.isspace() for ch in part))
any_emails = st.builds("{}@{}".format, _any_part, _any_part)
emails = st.one_of(tricky_emails, any_emails)


def _has_a_label(email: str) -> bool:
    domain = email.partition("@")[2]
    return any(label.startswith("xn--") for label in domain.casefold().split("."))


@settings(max_examples=400)
@given(first=emails, second=emails)
@example(first="josé@x.example", second="jose\u0301@x.example")
@example(first="straße@x.example", second="STRASSE@x.example")
@example(first="\u0131@x.example", second="I@x.example")
def test_two_spellings_get_one_key_exactly_when_canonical_caseless_matching_says_so(
    first: str, second: str
) -> None:
    assume(not _has_a_label(first) and not _has_a_label(second))
    first_key, second_key = key_or_none(first), key_or_none(second)
    assume(first_key is not None and second_key is not None)
    same = canonical_caseless(first) == canonical_caseless(second)
    assert (first_key == second_key) is same


@settings(max_examples=300)
@given(email=emails)
def test_the_nfc_and_nfd_spellings_are_one_address(email: str) -> None:
    assert key_or_none(nfc(email)) == key_or_none(nfd(email))


@settings(max_examples=300)
@given(email=emails)
def test_upper_and_lower_case_are_one_address_except_where_casefold_keeps_dotless_i(
    email: str,
) -> None:
    # Upper-casing dotless i (U+0131) gives "I", which folds to "i": another letter, as in Turkish.
    assume("\u0131" not in email)
    key = key_or_none(email)
    # Case is changed on the NFD spelling: upper-casing U+0345 out of canonical order makes it
    # a capital iota that a preceding mark then attaches to, which is no longer the same text.
    decomposed = nfd(email)
    assert key_or_none(decomposed.upper()) == key_or_none(decomposed.lower()) == key
    assert key_or_none(decomposed.swapcase()) == key


@settings(max_examples=300)
@given(email=emails, padding=st.sampled_from(["", " ", "\t", "\n ", "\u3000"]))
def test_the_key_is_trimmed_stored_in_nfc_and_its_own_key(email: str, padding: str) -> None:
    key = key_or_none(padding + email + padding)
    assume(key is not None)
    assert key is not None
    assert key == key_or_none(email)
    assert unicodedata.is_normalized("NFC", key)
    assert key == nfc(canonical_caseless(key))
    assert normalise_email(key) == key


@pytest.mark.parametrize(
    "spelling", ["straße@x.example", "STRAẞE@x.example", "Strasse@x.example", "STRASSE@x.example"]
)
def test_sharp_s_is_ss_as_full_case_folding_says(spelling: str) -> None:
    assert normalise_email(spelling) == "strasse@x.example"


def test_sharp_s_is_ss_in_domains_too() -> None:
    assert normalise_email("jane@faß.de") == normalise_email("jane@fass.de") == "jane@fass.de"


@pytest.mark.parametrize(
    ("spelling", "key"),
    [
        ("İstanbul@x.example", "i\u0307stanbul@x.example"),
        ("Istanbul@x.example", "istanbul@x.example"),
        ("istanbul@x.example", "istanbul@x.example"),
        ("\u0131stanbul@x.example", "\u0131stanbul@x.example"),
    ],
)
def test_turkish_dotted_and_dotless_i_fold_as_casefold_does_without_turkish_rules(
    spelling: str, key: str
) -> None:
    assert normalise_email(spelling) == key


def test_greek_final_sigma_is_sigma() -> None:
    upper, final_sigma = "\u039f\u0394\u03a5\u03a3@x.example", "\u03bf\u03b4\u03c5\u03c2@x.example"
    assert (
        normalise_email(upper)
        == normalise_email(final_sigma)
        == "\u03bf\u03b4\u03c5\u03c3@x.example"
    )


def test_the_key_may_be_254_characters_and_no_more() -> None:
    domain = "@x.example"
    longest = "a" * (MAX_EMAIL_LENGTH - len(domain)) + domain
    assert normalise_email(longest.upper()) == longest
    with pytest.raises(InvalidEmail):
        normalise_email("a" + longest)


def test_an_address_that_folding_lengthens_past_254_is_refused() -> None:
    # 130 code points typed, 258 stored: the key is what must fit the column and Corbado.
    typed = "ß" * 124 + "@x.example"
    assert len(typed) <= MAX_EMAIL_LENGTH
    with pytest.raises(InvalidEmail):
        normalise_email(typed)


def test_an_nfd_spelling_longer_than_254_is_accepted_when_its_key_fits() -> None:
    typed = nfd("é" * 200 + "@x.example")
    assert len(typed) > MAX_EMAIL_LENGTH
    assert normalise_email(typed) == "é" * 200 + "@x.example"


def test_the_early_length_bound_refuses_no_address_whose_key_fits() -> None:
    # An A-label of one CJK character is 8 characters typed and 1 stored, so a domain of them
    # lets a spelling of exactly the bound, 4 x 254 characters, have a key of exactly 254.
    typed = "a" * 36 + "@" + ".".join(["xn--j50i"] * 108 + ["xn--tda"])
    assert len(typed) == _MAX_DECOMPOSITION * MAX_EMAIL_LENGTH
    assert len(normalise_email(typed)) == MAX_EMAIL_LENGTH
    with pytest.raises(InvalidEmail):
        normalise_email("a" + typed)


def test_no_canonical_decomposition_is_longer_than_the_early_length_bound_assumes() -> None:
    longest = max(
        len(nfd(chr(point))) for point in range(sys.maxunicode + 1) if not 0xD800 <= point <= 0xDFFF
    )
    assert longest == _MAX_DECOMPOSITION


@pytest.mark.parametrize(
    "spelling",
    [
        "jane@xn--bcher-kva.example",
        "Jane@XN--BCHER-KVA.example",
        "jane@bücher.example",
        "jane@BU\u0308CHER.example",
    ],
)
def test_an_a_label_and_its_u_label_are_one_domain(spelling: str) -> None:
    assert normalise_email(spelling) == "jane@bücher.example"


@settings(max_examples=300)
@given(local=_part, label=_any_part)
def test_every_domain_label_spelled_as_an_a_label_is_the_same_address(
    local: str, label: str
) -> None:
    assume(not label.isascii() and "." not in label)
    u_label = key_or_none(f"{local}@{label}")
    assume(u_label is not None)
    a_label = "xn--" + label.encode("punycode").decode("ascii")
    assert key_or_none(f"{local}@{a_label}") == u_label


@pytest.mark.parametrize(
    "a_label",
    [
        "xn--",  # encodes nothing
        "xn--jane-",  # encodes plain ASCII, which is never an A-label
        "xn--abc",  # decodes, but is not how that label would be encoded
        "xn--bcher-kv!",  # not Punycode
        "xn--bücher",  # not ASCII
        "xn--xn---epa",  # decodes to another "xn--" label
    ],
)
def test_what_only_looks_like_an_a_label_is_refused(a_label: str) -> None:
    with pytest.raises(InvalidEmail):
        normalise_email(f"jane@{a_label}.example")


@pytest.mark.parametrize(
    "email",
    ["", "   ", "jane", "@example.com", "jane@", "a@b@c", "j ane@x.y", "a" * 1017 + "@x"],
)
def test_what_is_not_an_address_is_refused(email: str) -> None:
    with pytest.raises(InvalidEmail):
        normalise_email(email)
