"""What the service tells its operators, one module per concern: `metrics.py` (Prometheus, and
the workers' shared metrics directory), `logs.py` (the one logging pipeline and its queue),
`redaction.py` (the secrets it masks), `traces.py` (OpenTelemetry); `protocols.py` is the seam
every ring reports through."""
