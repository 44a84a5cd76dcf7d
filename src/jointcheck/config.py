"""Settings, read once at the edge from ``JOINTCHECK_*`` environment variables.

- ``JOINTCHECK_ENVIRONMENT``: ``development`` (default) or ``production``.
- ``JOINTCHECK_DATABASE_URL``: a SQLAlchemy URL, default ``sqlite:///var/jointcheck.db``
  (relative to the working directory); ``postgresql://...`` selects PostgreSQL.
- ``JOINTCHECK_DISTRICT_TIMEZONE``: the time zone that names a "day" (``Asia/Shanghai``).
- ``JOINTCHECK_SECRET_KEY``: the server's secret; its placeholder is refused in production.
- ``JOINTCHECK_PSEUDONYM_KEY``: base64 of at least 32 bytes, the key of pseudonymous ids.
- ``JOINTCHECK_FIELD_KEYS``: the field encryption keys, ``1:BASE64,2:BASE64`` (the highest
  id writes), a single BASE64 (id 1), or a folder of ``field-<id>.key`` files.
- ``JOINTCHECK_AUDIT_KEY``: base64 of at least 32 bytes, the HMAC key of the audit chain.
- ``JOINTCHECK_KEY_DIR``: development only, where unset keys are kept (``var/keys``).
- ``JOINTCHECK_SESSION_HOURS``: how long a login's session token lasts (12).
- ``JOINTCHECK_MAX_UPLOAD_BYTES``: the largest import file the API accepts (50 MB).
- ``JOINTCHECK_KEYSTORE_DIR``: the issuer's key store (``jointcheck keys init``); without it
  the server issues nothing. ``JOINTCHECK_KEY_PASSPHRASE`` opens it.
- ``JOINTCHECK_POLICY``: the policy pack the server decides with (a shipped id or a file;
  ``fangzi-2021``).
- ``JOINTCHECK_ROLLUP_EVERY_MINUTES``: how often the server recomputes the daily street
  roll-ups (15; 0 turns the scheduled roll-up off, for a cron job of ``reports rollup``).
- ``JOINTCHECK_ROLLUP_DAYS``: how many days, ending today, each scheduled roll-up recomputes (3).
- ``JOINTCHECK_REPORT_FONT``: a font file (``.ttf``, ``.otf``, ``.ttc``) for the PDF day report;
  unset, a CJK font installed on the machine is looked for. ``JOINTCHECK_REPORT_FONT_FACE``: the
  face to use in a ``.ttc`` collection (0).

In development, a key left unset is read from ``KEY_DIR`` (``pseudonym.key``,
``field-1.key``, ``audit.key``: base64 text, mode 0600), created there with random bytes on
first use. In production every key must be given; a missing one or a placeholder is refused
(the audit key when it is first needed: ``jointcheck serve`` asks for it at start). Secrets
are ``SecretStr`` and never appear in ``repr``.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, FilePath, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from jointcheck.errors import JointcheckError
from jointcheck.security.fieldcrypt import FieldCipher
from jointcheck.security.pseudonym import MIN_KEY_BYTES

PLACEHOLDER = "change-me"
DEFAULT_DATABASE_URL = "sqlite:///var/jointcheck.db"


class ConfigError(JointcheckError, ValueError):
    """A setting is missing, malformed, or a placeholder where a real secret is needed."""

    stage = "config"


class Settings(BaseSettings):
    """jointcheck's settings (see the module docstring for each variable)."""

    model_config = SettingsConfigDict(env_prefix="JOINTCHECK_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    database_url: str = Field(default=DEFAULT_DATABASE_URL, repr=False)
    district_timezone: str = "Asia/Shanghai"
    secret_key: SecretStr = SecretStr(PLACEHOLDER)
    pseudonym_key: SecretStr | None = None
    field_keys: SecretStr | None = None
    audit_key: SecretStr | None = None
    key_dir: Path = Path("var/keys")
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    keystore_dir: Path | None = None
    key_passphrase: SecretStr | None = None
    policy: str = "fangzi-2021"
    rollup_every_minutes: int = Field(default=15, ge=0, le=24 * 60)
    rollup_days: int = Field(default=3, ge=1, le=366)
    report_font: FilePath | None = None
    report_font_face: int = Field(default=0, ge=0)

    @field_validator("district_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone") from None
        return value

    @model_validator(mode="after")
    def _real_secrets_in_production(self) -> Settings:
        if self.keystore_dir is not None and (
                self.key_passphrase is None
                or self.key_passphrase.get_secret_value() in ("", PLACEHOLDER)):
            raise ValueError("JOINTCHECK_KEY_PASSPHRASE must be set with JOINTCHECK_KEYSTORE_DIR")
        if self.environment == "development":
            return self
        if self.secret_key.get_secret_value() in ("", PLACEHOLDER):
            raise ValueError("JOINTCHECK_SECRET_KEY must be set outside development")
        for name in ("pseudonym_key", "field_keys"):
            value: SecretStr | None = getattr(self, name)
            if value is None or value.get_secret_value() in ("", PLACEHOLDER):
                raise ValueError(f"JOINTCHECK_{name.upper()} must be set outside development")
        if self.audit_key is not None and self.audit_key.get_secret_value() in ("", PLACEHOLDER):
            raise ValueError("JOINTCHECK_AUDIT_KEY must be a real key outside development")
        return self

    @property
    def timezone(self) -> ZoneInfo:
        """Return the district's time zone, which names a day."""
        return ZoneInfo(self.district_timezone)


@dataclass(frozen=True)
class RegistryKeys:
    """The keys of the registry: the pseudonym key and the field cipher (never printed)."""

    pseudonym_key: bytes = field(repr=False)
    cipher: FieldCipher = field(repr=False)


def load_settings() -> Settings:
    """Read the settings from the environment (once, at the edge)."""
    return Settings()


def registry_keys(settings: Settings) -> RegistryKeys:
    """Return the registry's keys from the settings, or from the development key folder."""
    pseudonym_key = _secret_key(settings, settings.pseudonym_key, "pseudonym")
    if settings.field_keys is not None:
        keys = _field_keys(settings.field_keys.get_secret_value())
    else:
        keys = {1: _dev_key(settings, "field-1.key")}
    try:
        return RegistryKeys(pseudonym_key, FieldCipher(keys, max(keys)))
    except ValueError as exc:
        raise ConfigError("field-key-invalid", str(exc)) from None


def audit_key(settings: Settings) -> bytes:
    """Return the audit chain's HMAC key from the settings, or from the development folder."""
    return _secret_key(settings, settings.audit_key, "audit")


def _secret_key(settings: Settings, given: SecretStr | None, name: str) -> bytes:
    """Return a key given in the settings (base64), or the development folder's ``NAME.key``."""
    if given is not None:
        key = _decode(given.get_secret_value(), f"{name} key")
    else:
        key = _dev_key(settings, f"{name}.key")
    if len(key) < MIN_KEY_BYTES:
        raise ConfigError("key-too-short", f"the {name} key needs {MIN_KEY_BYTES} bytes")
    return key


def _decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError("key-invalid", f"the {what} is not base64") from None


def _field_keys(value: str) -> dict[int, bytes]:
    folder = Path(value)
    if folder.is_dir():
        found = {int(p.stem.removeprefix("field-")): _decode(p.read_text(), p.name)
                 for p in folder.glob("field-*.key") if p.stem.removeprefix("field-").isdigit()}
        if not found:
            raise ConfigError("key-missing", f"no field-<id>.key file in {folder}")
        return found
    if ":" not in value:
        return {1: _decode(value, "field key")}
    keys: dict[int, bytes] = {}
    for part in value.split(","):
        key_id, _, text = part.partition(":")
        if not key_id.strip().isdigit():
            raise ConfigError("key-invalid", "field keys are written ID:BASE64,ID:BASE64")
        keys[int(key_id)] = _decode(text, f"field key {key_id.strip()}")
    return keys


def _dev_key(settings: Settings, name: str) -> bytes:
    if settings.environment != "development":
        raise ConfigError("key-missing", f"{name} must come from the settings in production")
    path = settings.key_dir / name
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(base64.b64encode(os.urandom(32)).decode() + "\n")
    return _decode(path.read_text(), str(path))
