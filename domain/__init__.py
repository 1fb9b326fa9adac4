"""The pure core of connect-backend: value types, ports, use cases and errors.

Imports only the standard library; the import-linter contract in pyproject.toml proves it.
"""
