"""`GET /v2/identifiers` (IdentifierList): its query parameters, filtering, sorting and paging.

The spec's parameters: `filter[]` (repeatable, `<field>:<operator>:<value>`; every filter must
hold), `sort` (`<field>:asc|desc`), `page` (from 1) and `pageSize` (default 10). Fields are
`userID`, `identifierType` and `identifierValue`. An empty `sort=` is no sort: Corbado's Node.js
SDK (`@corbado/node-sdk` 3.0.2, `Identifier.list`) always sends one.

Filter values are percent-decoded once more after the query string itself, as Go's
`url.QueryUnescape` does (`+` is a space): Corbado's Python SDK (corbado-python
`identifier_service.py`) sends `quote_plus(value)` inside the filter and its integration tests
against the live API find `integration-test+…@corbado.com` that way, which only works if the
server decodes again. So a client must encode the value inside the filter (`+` as `%2B`); the
decoded value is then compared exactly as stored (no case folding, no trimming). The same SDK
sends `userID:eq:<digits>` without the `usr-` prefix; the emulator accepts both forms.

Of the spec's operators only `eq` is implemented; `gt`, `lt` and anything else are a 400
`validation_error`, as are malformed filters, a bad percent-escape, unknown fields, an
`identifierType` outside the spec's enum, a page below 1 or past 2^31 - 1, a `pageSize` outside
1..100, a parameter given twice, and any query parameter the operation does not define (a client
that misspells `filter[]` must not silently list every identifier). Corbado's own limits are
unpublished. A page past the last one is empty; `totalPages` is 0 when nothing matches.

CredentialList (`GET /v2/users/{id}/credentials`) takes `page` and `pageSize` by the same rules
(and an empty `sort=`); a non-empty `sort` and `filter[]` are not implemented (400), and the
passkeys come oldest first.
"""

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import unquote_to_bytes

from corbado_emulator.envelope import validation_error
from corbado_emulator.records import Identifier, IdentifierType
from corbado_emulator.schemas import identifier_json

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
MAX_PAGE = 2**31 - 1
_FILTER = "filter[]"
_SINGLE = ("sort", "page", "pageSize")
_DIGITS = re.compile(r"[0-9]{1,10}")
_IDENTIFIER_TYPES = frozenset(t.value for t in IdentifierType)
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_USER_PREFIX = "usr-"
T = TypeVar("T")


class Field(enum.StrEnum):
    """What IdentifierList filters and sorts by."""

    USER_ID = "userID"
    IDENTIFIER_TYPE = "identifierType"
    IDENTIFIER_VALUE = "identifierValue"

    def of(self, identifier: Identifier) -> str:
        """This field's value in `identifier`."""
        if self is Field.USER_ID:
            return identifier.user_id
        if self is Field.IDENTIFIER_TYPE:
            return identifier.type.value
        return identifier.value


class Operator(enum.StrEnum):
    """The spec's filter operators; the emulator implements only `eq`."""

    EQ = "eq"
    GT = "gt"
    LT = "lt"


@dataclass(frozen=True, slots=True)
class Filter:
    """`<field>:eq:<value>`."""

    field: Field
    value: str

    def matches(self, identifier: Identifier) -> bool:
        """Whether `identifier` holds exactly this value (a user id with or without `usr-`)."""
        actual = self.field.of(identifier)
        if self.field is Field.USER_ID and actual == f"{_USER_PREFIX}{self.value}":
            return True
        return actual == self.value


@dataclass(frozen=True, slots=True)
class Sort:
    """`<field>:asc` or `<field>:desc`."""

    field: Field
    descending: bool


@dataclass(frozen=True, slots=True)
class IdentifierQuery:
    """A valid IdentifierList request."""

    filters: tuple[Filter, ...] = ()
    sort: Sort | None = None
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    def answer(self, identifiers: Iterable[Identifier]) -> dict[str, object]:
        """The spec's `identifierList` body for this query over `identifiers`."""
        found = [i for i in identifiers if all(f.matches(i) for f in self.filters)]
        if self.sort is not None:
            sort = self.sort
            found.sort(key=sort.field.of, reverse=sort.descending)
        shown, paging = page_of(found, self.page, self.page_size)
        return {"identifiers": [identifier_json(i) for i in shown], "paging": paging}


def page_of(items: list[T], page: int, page_size: int) -> tuple[list[T], dict[str, int]]:
    """The items of page `page` (from 1) and the spec's `paging` for them."""
    start = (page - 1) * page_size
    paging = {"page": page, "totalPages": -(-len(items) // page_size), "totalItems": len(items)}
    return items[start : start + page_size], paging


def parse_page_query(params: Iterable[tuple[str, str]]) -> tuple[int, int]:
    """CredentialList's `page` and `pageSize` (an empty `sort=` allowed); 400
    `validation_error` for anything else."""
    problems: list[tuple[str, str]] = []
    single: dict[str, str] = {}
    for name, value in params:
        if name in _SINGLE:
            if name in single:
                problems.append((name, "must be given at most once"))
            single[name] = value
        elif name == _FILTER:
            problems.append((name, "is not implemented by the emulator for this operation"))
        else:
            problems.append((name[:64], "is not a parameter of this operation"))
    if single.get("sort"):
        problems.append(("sort", "is not implemented by the emulator for this operation"))
    page = _integer(single, "page", 1, MAX_PAGE, 1, problems)
    page_size = _integer(single, "pageSize", 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE, problems)
    if problems:
        raise validation_error(problems)
    return page, page_size


def parse_identifier_query(params: Iterable[tuple[str, str]]) -> IdentifierQuery:
    """The query of `params` (decoded query string pairs); 400 `validation_error` if invalid."""
    problems: list[tuple[str, str]] = []
    filters: list[Filter] = []
    single: dict[str, str] = {}
    for name, value in params:
        if name == _FILTER:
            parsed = _filter(value, problems)
            if parsed is not None:
                filters.append(parsed)
        elif name in _SINGLE:
            if name in single:
                problems.append((name, "must be given at most once"))
            single[name] = value
        else:
            problems.append((name[:64], "is not a parameter of this operation"))
    sort = _sort(single["sort"], problems) if single.get("sort") else None
    page = _integer(single, "page", 1, MAX_PAGE, 1, problems)
    page_size = _integer(single, "pageSize", 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE, problems)
    if problems:
        raise validation_error(problems)
    return IdentifierQuery(tuple(filters), sort, page, page_size)


def _filter(text: str, problems: list[tuple[str, str]]) -> Filter | None:
    name, colon, rest = text.partition(":")
    operator, colon_2, value = rest.partition(":")
    if not (colon and colon_2):
        problems.append((_FILTER, "must be <field>:<operator>:<value>"))
        return None
    field = _field(name, _FILTER, problems)
    if operator != Operator.EQ:
        problems.append((_FILTER, "operator must be eq (the emulator implements no other)"))
        return None
    try:
        value = _query_unescape(value)
    except ValueError:
        problems.append((_FILTER, "value must be percent-encoded UTF-8"))
        return None
    if field is Field.IDENTIFIER_TYPE and value not in _IDENTIFIER_TYPES:
        problems.append((_FILTER, f"identifierType must be one of {_choices(IdentifierType)}"))
        return None
    return None if field is None else Filter(field, value)


def _query_unescape(text: str) -> str:
    """Go's `url.QueryUnescape`: `+` is a space, `%XX` a byte; the bytes must be UTF-8."""
    if _BAD_ESCAPE.search(text):
        raise ValueError("bad percent-escape")
    return unquote_to_bytes(text.replace("+", " ")).decode("utf-8")


def _sort(text: str, problems: list[tuple[str, str]]) -> Sort | None:
    name, _, direction = text.partition(":")
    field = _field(name, "sort", problems)
    if direction not in ("asc", "desc"):
        problems.append(("sort", "must be <field>:asc or <field>:desc"))
        return None
    return None if field is None else Sort(field, descending=direction == "desc")


def _field(name: str, parameter: str, problems: list[tuple[str, str]]) -> Field | None:
    try:
        return Field(name)
    except ValueError:
        problems.append((parameter, f"field must be one of {_choices(Field)}"))
        return None


def _integer(
    single: dict[str, str],
    name: str,
    low: int,
    high: int,
    default: int,
    problems: list[tuple[str, str]],
) -> int:
    text = single.get(name)
    if text is None:
        return default
    if _DIGITS.fullmatch(text) and low <= int(text) <= high:
        return int(text)
    problems.append((name, f"must be an integer from {low} to {high}"))
    return default


def _choices(kind: type[enum.StrEnum]) -> str:
    return ", ".join(member.value for member in kind)
