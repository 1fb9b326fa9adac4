"""Mail: the SMTP adapter (aiosmtplib; STARTTLS or implicit TLS), retries in the background,
and `dev`'s outbox; `compose.py` writes the messages both send."""
