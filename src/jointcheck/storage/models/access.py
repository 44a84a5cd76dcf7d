"""Users, their API and session tokens, and the hash-chained audit log with its anchors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jointcheck.storage.models.base import CODE, Base
from jointcheck.storage.types import UTCDateTime

NAME = 200
HASH = 64


class UserRow(Base):
    """A user: one role, and the scope the role names (area, venue, organisation...)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(CODE), unique=True)
    display_name: Mapped[str] = mapped_column(String(NAME))
    # None for a user who only ever holds API tokens (a checkpoint, a script).
    password_hash: Mapped[str | None] = mapped_column(String(NAME))
    role: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(CODE))
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    tokens: Mapped[list[ApiTokenRow]] = relationship(back_populates="user", lazy="raise")


class ApiTokenRow(Base):
    """A token (``jct_<token id>_<secret>``): only the SHA-256 of its secret is kept."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("kind IN ('session', 'api')", name="kind"),)

    token_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(HASH))
    label: Mapped[str] = mapped_column(String(NAME))
    kind: Mapped[str] = mapped_column(String(8))
    # Comma-separated permissions the token is narrowed to, or None for the role's all.
    permissions: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[UserRow] = relationship(back_populates="tokens", lazy="raise")


class AuditLogRow(Base):
    """One sealed entry of the audit chain (``jointcheck.security.audit_chain``)."""

    __tablename__ = "audit_log"

    sequence: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[str] = mapped_column(String(CODE))
    actor_role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(CODE))
    subject: Mapped[str | None] = mapped_column(String(NAME), index=True)
    area: Mapped[str | None] = mapped_column(String(CODE))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(HASH))
    hash: Mapped[str] = mapped_column(String(HASH))


class AuditAnchorRow(Base):
    """The count and head of the audit chain at a moment: a cut-off tail no longer matches."""

    __tablename__ = "audit_anchors"

    id: Mapped[int] = mapped_column(primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer)
    head: Mapped[str] = mapped_column(String(HASH))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
