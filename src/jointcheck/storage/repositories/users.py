"""Queries of users and their tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from jointcheck.storage.models import ApiTokenRow, UserRow


class UserRepository:
    """Users by id and by user name."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: UserRow) -> UserRow:
        """Store a new user and return it with its id."""
        self.session.add(row)
        self.session.flush()
        return row

    def get(self, user_id: int) -> UserRow | None:
        """Return the user with ``user_id``, or None."""
        return self.session.get(UserRow, user_id)

    def by_username(self, username: str) -> UserRow | None:
        """Return the user called ``username`` (already normalised), or None."""
        return self.session.scalars(select(UserRow).where(UserRow.username == username)).first()


class TokenRepository:
    """Tokens by token id; the user comes along in the same query."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: ApiTokenRow) -> None:
        """Store a new token."""
        self.session.add(row)
        self.session.flush()

    def get(self, token_id: str) -> ApiTokenRow | None:
        """Return the token with ``token_id``, or None."""
        return self.session.get(ApiTokenRow, token_id)

    def with_user(self, token_id: str) -> tuple[ApiTokenRow, UserRow] | None:
        """Return the token with ``token_id`` and its user, or None."""
        found = self.session.execute(
            select(ApiTokenRow, UserRow).join(UserRow, ApiTokenRow.user_id == UserRow.id)
            .where(ApiTokenRow.token_id == token_id)).first()
        return None if found is None else (found[0], found[1])

    def touch(self, token_id: str, at: datetime) -> None:
        """Record that the token was used at ``at``."""
        self.session.execute(update(ApiTokenRow).where(ApiTokenRow.token_id == token_id)
                             .values(last_used_at=at))

    def of_user(self, user_id: int) -> list[ApiTokenRow]:
        """Return the tokens of a user, newest first."""
        return list(self.session.scalars(select(ApiTokenRow).where(ApiTokenRow.user_id == user_id)
                                         .order_by(ApiTokenRow.created_at.desc())))
