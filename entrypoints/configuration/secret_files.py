"""Secrets from files: `NAME_FILE` instead of `NAME`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from entrypoints.configuration.errors import ConfigError

# Each of these may be given instead as `NAME_FILE`, the path of a file holding the value, as the
# official database images allow: a mounted file stays out of `docker inspect`, a variable not.
SECRET_VARIABLES = (
    "CORBADO_API_SECRET",
    "DATABASE_URL",
    "REDIS_URL",
    "REVOCATION_FEED_SECRET",
    "SMTP_URL",
)
FILE_SUFFIX = "_FILE"


def with_secret_files(env: Mapping[str, str]) -> dict[str, str]:
    """`env` with the file named by each `NAME_FILE` of `SECRET_VARIABLES` read into `NAME`.

    Raises `ConfigError` as `secret_value` does.
    """
    resolved = {name: value for name, value in env.items() if not _is_file_form(name)}
    for name in SECRET_VARIABLES:
        if value := secret_value(env, name):
            resolved[name] = value
    return resolved


def secret_value(env: Mapping[str, str], name: str) -> str:
    """`name`'s value; for one of `SECRET_VARIABLES`, from the file its `NAME_FILE` names when
    that is set. "" when unset.

    The file's content is trimmed, as every value is. Raises `ConfigError` naming `NAME_FILE`
    when `NAME` is set too, or when its file cannot be read or holds nothing.
    """
    if name not in SECRET_VARIABLES:
        return env.get(name, "")
    file_variable = name + FILE_SUFFIX
    path = env.get(file_variable, "").strip()
    if not path:
        return env.get(name, "")
    if env.get(name, "").strip():
        raise ConfigError(file_variable, f"is set together with {name}; set only one")
    return _secret_file(file_variable, Path(path))


def _is_file_form(name: str) -> bool:
    return name.endswith(FILE_SUFFIX) and name.removesuffix(FILE_SUFFIX) in SECRET_VARIABLES


def _secret_file(variable: str, path: Path) -> str:
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(variable, f"cannot be read ({reason})") from exc
    except UnicodeDecodeError as exc:
        # The message would quote the file's bytes: say only what is wrong.
        raise ConfigError(variable, "is not UTF-8 text") from exc
    if not value:
        raise ConfigError(variable, "names an empty file")
    return value
