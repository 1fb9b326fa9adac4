"""`make audit`: every package of uv.lock checked by pip-audit against known vulnerabilities.

Against OSV when it answers, otherwise against the dated copy of the PyPA advisory database in
`../shared/advisories`, served to pip-audit by a loopback OSV endpoint (`advisories.py`).
Findings not listed in `deploy/audit-accepted.toml` fail the audit (`accepted.py`). Run it as
`python -m deploy.audit --help`; the README's "Vulnerability audit" says what its output means.
"""
