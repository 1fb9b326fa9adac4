"""The service's configuration: `Settings` from the environment (`settings.py`, its table of
variables; `variables.py`, what a row says and the parsers), secrets from files
(`secret_files.py`), and `ConfigError`, what every one of them raises (`errors.py`)."""

from entrypoints.configuration.errors import ConfigError
from entrypoints.configuration.settings import Settings

__all__ = ["ConfigError", "Settings"]
