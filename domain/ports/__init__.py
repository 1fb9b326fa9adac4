"""Narrow protocols the use cases depend on; adapters implement them, tests fake them."""

from domain.ports.access_tokens import AccessTokens
from domain.ports.account_erasure import AccountErasure
from domain.ports.audit import AuditLog
from domain.ports.background import BackgroundWork
from domain.ports.clock import Clock
from domain.ports.connect_tokens import IssuedConnectTokens
from domain.ports.corbado import CorbadoAccounts, CorbadoConnect, PasskeyDataReader
from domain.ports.device_tokens import DeviceTokens, TrustedDevice
from domain.ports.email_tokens import EmailTokens
from domain.ports.mail import Mailer
from domain.ports.passwords import PasswordHasher
from domain.ports.rate_limits import RateLimitCounters, RateLimitEvents
from domain.ports.retention import Retention
from domain.ports.revocation_log import RevocationLog
from domain.ports.revoked_sessions import RevokedSessions
from domain.ports.sessions import Sessions
from domain.ports.successor_keys import SuccessorKeys
from domain.ports.users import Users

__all__ = [
    "AccessTokens",
    "AccountErasure",
    "AuditLog",
    "BackgroundWork",
    "Clock",
    "CorbadoAccounts",
    "CorbadoConnect",
    "DeviceTokens",
    "EmailTokens",
    "IssuedConnectTokens",
    "Mailer",
    "PasskeyDataReader",
    "PasswordHasher",
    "RateLimitCounters",
    "RateLimitEvents",
    "Retention",
    "RevocationLog",
    "RevokedSessions",
    "Sessions",
    "SuccessorKeys",
    "TrustedDevice",
    "Users",
]
