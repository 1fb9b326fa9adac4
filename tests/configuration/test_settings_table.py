"""The table of environment variables: each sets its field, is read once, and is documented
with the default its field has."""

import dataclasses
import ipaddress
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import make_url

from domain.model import IdentifierKind
from entrypoints.configuration import ConfigError, Settings
from entrypoints.configuration.settings import GROUPS, VARIABLES
from entrypoints.configuration.variables import Need, SmtpUrl, Variable

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = ROOT / "docs" / "operations.md"
# The binding interface sits beside the checkout in the team's workspace, not in the repository.
INTERFACE = ROOT.parent / "shared" / "design" / "interface.md"
NAMES = [variable.name for variable in VARIABLES]
SERVE_ONLY = {variable.name for variable in VARIABLES if variable.need is not Need.OPTIONAL}
ORIGINS = ("https://a.example", "https://b.example")


def samples(key_file: Path) -> dict[str, tuple[str, object]]:
    """A valid value of every variable, none of them its default, and the field value it gives;
    every default also fits beside the others (the idle and request timeouts)."""
    return {
        "CORBADO_PROJECT_ID": ("pro-42", "pro-42"),
        "CORBADO_API_SECRET": ("corbado1_s3cret", "corbado1_s3cret"),
        "SESSION_ISSUER": ("https://auth.example.com", "https://auth.example.com"),
        "SESSION_AUDIENCE": ("example-app", "example-app"),
        "SESSION_SIGNING_KEYS": (str(key_file), key_file),
        "DATABASE_URL": (
            "postgresql+asyncpg://u:p@db/x",
            make_url("postgresql+asyncpg://u:p@db/x"),
        ),
        "WORKERS": ("3", 3),
        "HOST": ("10.1.2.3", "10.1.2.3"),
        "PORT": ("8443", 8443),
        "CORBADO_BACKEND_API": ("http://[::1]:18081", "http://[::1]:18081"),
        "CORBADO_TIMEOUT_S": ("2.5", 2.5),
        "CORBADO_IDENTIFIER": ("user_id", IdentifierKind.USER_ID),
        "ACCESS_TOKEN_TTL_S": ("300", 300),
        "REFRESH_TOKEN_TTL_S": ("86400", 86_400),
        "REFRESH_REUSE_GRACE_S": ("0", 0),
        "SESSION_IDLE_TIMEOUT_S": ("1000", 1000),
        "SENSITIVE_ACTION_MAX_AGE_S": ("120", 120),
        "REVOCATION_FEED_SECRET": ("f" * 32, "f" * 32),
        "REDIS_URL": ("redis://cache:6379/0", "redis://cache:6379/0"),
        "ALLOW_REGISTRATION": ("yes", True),
        "CORS_ALLOW_ORIGINS": ("https://a.example, https://b.example", ORIGINS),
        "RATE_LIMIT_LOGIN_PER_MINUTE": ("1", 1),
        "RATE_LIMIT_LOGIN_ACCOUNT_PER_MINUTE": ("2", 2),
        "RATE_LIMIT_REGISTER_PER_MINUTE": ("3", 3),
        "RATE_LIMIT_REFRESH_PER_MINUTE": ("4", 4),
        "RATE_LIMIT_PASSKEY_PER_MINUTE": ("400", 400),
        "TRUSTED_PROXIES": ("10.0.0.0/8", (ipaddress.ip_network("10.0.0.0/8"),)),
        "REQUEST_TIMEOUT_S": ("6", 6.0),
        "PURGE_INTERVAL_S": ("90.5", 90.5),
        "SMTP_URL": (
            "smtps://mailer:p%40ss@mail.example:2465",
            SmtpUrl("mail.example", 2465, True, "mailer", "p@ss"),
        ),
        "MAIL_FROM": ("Example <noreply@example.com>", "Example <noreply@example.com>"),
        "EMAIL_LINK_URL": ("https://app.example/#{token}", "https://app.example/#{token}"),
        "EMAIL_TOKEN_TTL_S": ("600", 600),
        "RATE_LIMIT_EMAIL_PER_MINUTE": ("5", 5),
        "RATE_LIMIT_MAIL_ACCOUNT_PER_HOUR": ("3", 3),
    }


class CountingEnv(Mapping[str, str]):
    """An environment that counts how often each variable is looked up."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)
        self.reads: Counter[str] = Counter()

    def __getitem__(self, name: str) -> str:
        # A secret's `NAME_FILE` form is part of reading `NAME`
        # (entrypoints/configuration/secret_files.py).
        if not name.endswith("_FILE"):
            self.reads[name] += 1
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


@pytest.fixture
def sample(tmp_path: Path) -> dict[str, tuple[str, object]]:
    key_file = tmp_path / "keys.pem"
    key_file.write_text("only its existence is checked here", encoding="ascii")
    return samples(key_file)


@pytest.fixture
def full_env(sample: dict[str, tuple[str, object]]) -> dict[str, str]:
    return {name: raw for name, (raw, _) in sample.items()}


def field_value(settings: Settings, variable: Variable) -> object:
    value: object = settings
    for name in variable.field.split("."):
        value = getattr(value, name)
    return value


def field_default(variable: Variable) -> object:
    group, _, name = variable.field.rpartition(".")
    owner: Any = GROUPS[group] if group else Settings
    field = {each.name: each for each in dataclasses.fields(owner)}[name]
    return field.default


def test_every_variable_has_a_sample_and_sets_its_own_field(
    sample: dict[str, tuple[str, object]],
) -> None:
    assert sorted(sample) == sorted(NAMES)
    fields = [variable.field for variable in VARIABLES]
    assert len(set(fields)) == len(fields) == len(set(NAMES))


def test_serve_reads_each_variable_once_into_its_field(
    sample: dict[str, tuple[str, object]], full_env: dict[str, str]
) -> None:
    env = CountingEnv(full_env)
    settings = Settings.from_env(env)
    assert env.reads == Counter(NAMES)
    for variable in VARIABLES:
        assert field_value(settings, variable) == sample[variable.name][1], variable.name


def test_dev_reads_each_tunable_once_and_nothing_it_fixes(full_env: dict[str, str]) -> None:
    env = CountingEnv(full_env)
    settings = Settings.for_dev(env)
    assert env.reads == Counter(set(NAMES) - SERVE_ONLY)
    assert settings.session_issuer == "http://127.0.0.1:8443"
    assert (settings.host, settings.allow_registration, settings.workers) == ("127.0.0.1", True, 1)
    assert settings.policy.access_token_ttl_s == 300


def test_unset_variables_leave_the_fields_defaults() -> None:
    settings = Settings.for_dev({})
    for variable in VARIABLES:
        # dev fixes these (its Corbado is the emulator, in-process: DEV_CORBADO_BACKEND_API).
        fixed = ("HOST", "ALLOW_REGISTRATION", "CORBADO_BACKEND_API")
        if variable.need is Need.OPTIONAL and variable.name not in fixed:
            assert field_value(settings, variable) == field_default(variable), variable.name


@pytest.mark.parametrize("variable", VARIABLES, ids=NAMES)
def test_an_empty_value_counts_as_unset(variable: Variable, full_env: dict[str, str]) -> None:
    if variable.name != "WORKERS":
        full_env["WORKERS"] = "1"  # more would need REDIS_URL
    full_env[variable.name] = "  "
    if variable.name in ("MAIL_FROM", "EMAIL_LINK_URL"):
        # Unset, as any other; but the sample sets SMTP_URL, which needs both.
        with pytest.raises(ConfigError, match=f"^{variable.name}: is required with SMTP_URL$"):
            Settings.from_env(full_env)
    elif variable.need is Need.REQUIRED:
        with pytest.raises(ConfigError, match=f"^{variable.name}: is required but not set$"):
            Settings.from_env(full_env)
    else:
        assert field_value(Settings.from_env(full_env), variable) == field_default(variable)


def documented(path: Path, section: str) -> dict[str, str]:
    """The variables in the `| variable | ...` tables of a document's `section`, each with its
    default as written (`required` where the table has no default column)."""
    body = path.read_text(encoding="utf-8").split(f"\n## {section}", 1)[1].split("\n## ", 1)[0]
    found: dict[str, str] = {}
    in_table = False
    for line in body.splitlines():
        in_table = line.startswith("| variable |") or (in_table and line.startswith("|"))
        if not (in_table and line.startswith("| `")):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        names = re.findall(r"`([A-Z][A-Z0-9_]*)`", cells[0])
        default = cells[2] if len(cells) > 2 else "required"
        values = re.findall(r"`([^`]*)`", default) or [default.split()[0]] * len(names)
        found.update(zip(names, values, strict=True))
    return found


def assert_documented_as_read(documented_defaults: Mapping[str, str]) -> None:
    by_name = {variable.name: variable for variable in VARIABLES}
    for name, default in documented_defaults.items():
        variable = by_name[name]  # a documented variable the code does not read fails here
        if default == "required":
            assert variable.need is Need.REQUIRED, name
        elif default in ("empty", "unset"):
            assert field_default(variable) in ((), None), name
        else:
            assert variable.parse(default) == field_default(variable), name


def test_operations_documents_every_variable_with_its_default() -> None:
    defaults = documented(OPERATIONS, "Configuration")
    assert sorted(defaults) == sorted(NAMES)
    assert_documented_as_read(defaults)


def test_the_interface_names_only_variables_read_with_their_defaults() -> None:
    if not INTERFACE.is_file():
        pytest.skip("the binding interface is outside this checkout")
    assert_documented_as_read(documented(INTERFACE, "Environment"))
