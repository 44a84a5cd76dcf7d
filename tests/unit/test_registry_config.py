"""Settings: defaults, secrets hidden, placeholders refused in production, registry keys."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from jointcheck.config import ConfigError, Settings, registry_keys

KEY = base64.b64encode(b"p" * 32).decode()
FIELD = base64.b64encode(b"f" * 32).decode()


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "ENVIRONMENT", "DISTRICT_TIMEZONE"):
        monkeypatch.delenv(f"JOINTCHECK_{name}", raising=False)
    settings = Settings()
    assert settings.database_url == "sqlite:///var/jointcheck.db"
    assert settings.district_timezone == "Asia/Shanghai"
    assert settings.environment == "development"


def test_secrets_never_show_in_repr() -> None:
    settings = Settings(secret_key="s3cret-value", pseudonym_key=KEY, field_keys=FIELD,
                        database_url="postgresql://u:dbpassword@h/d")
    shown = repr(settings) + str(settings)
    for secret in ("s3cret-value", KEY, FIELD, "dbpassword"):
        assert secret not in shown


def test_production_refuses_placeholders() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", pseudonym_key=KEY, field_keys=FIELD)
    with pytest.raises(ValidationError, match="PSEUDONYM_KEY"):
        Settings(environment="production", secret_key="x" * 40, field_keys=FIELD)
    Settings(environment="production", secret_key="x" * 40, pseudonym_key=KEY,
             field_keys=FIELD)


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="time zone"):
        Settings(district_timezone="Mars/Olympus")


def test_development_keys_are_created_once_in_the_key_folder(tmp_path: Path) -> None:
    settings = Settings(key_dir=tmp_path / "keys")
    first = registry_keys(settings)
    second = registry_keys(settings)
    assert first.pseudonym_key == second.pseudonym_key and len(first.pseudonym_key) == 32
    blob = first.cipher.encrypt("text", "ctx")
    assert second.cipher.decrypt(blob, "ctx") == "text"
    for name in ("pseudonym.key", "field-1.key"):
        assert stat.S_IMODE((tmp_path / "keys" / name).stat().st_mode) == 0o600
    assert repr(first) == "RegistryKeys()"


def test_keys_from_settings_and_from_a_folder(tmp_path: Path) -> None:
    two = base64.b64encode(b"g" * 32).decode()
    keys = registry_keys(Settings(pseudonym_key=KEY, field_keys=f"1:{FIELD},2:{two}"))
    assert keys.pseudonym_key == b"p" * 32
    assert keys.cipher.encrypt("x", "c")[1] == 2  # the newest key writes
    (tmp_path / "field-3.key").write_text(FIELD)
    folder = registry_keys(Settings(pseudonym_key=KEY, field_keys=str(tmp_path)))
    assert folder.cipher.encrypt("x", "c")[1] == 3


@pytest.mark.parametrize(("pseudonym", "fields", "code"), [
    ("not base64!", FIELD, "key-invalid"),
    (base64.b64encode(b"short").decode(), FIELD, "key-too-short"),
    (KEY, "x:abc", "key-invalid"),
    (KEY, base64.b64encode(b"short").decode(), "field-key-invalid"),
])
def test_bad_keys(pseudonym: str, fields: str, code: str) -> None:
    with pytest.raises(ConfigError) as caught:
        registry_keys(Settings(pseudonym_key=pseudonym, field_keys=fields))
    assert caught.value.code == code


def test_production_never_creates_keys(tmp_path: Path) -> None:
    settings = Settings(environment="production", secret_key="x" * 40, pseudonym_key=KEY,
                        field_keys=FIELD, key_dir=tmp_path / "keys")
    assert registry_keys(settings).pseudonym_key == b"p" * 32
    assert not (tmp_path / "keys").exists()
