"""Users, tokens and the audit log in storage, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from jointcheck.errors import AuthenticationError
from jointcheck.registry.areas import Area
from jointcheck.security.audit_chain import AuditEntry
from jointcheck.services import audit, tokens, users
from jointcheck.storage.db import unit_of_work
from jointcheck.storage.repositories.areas import AreaRepository
from jointcheck.storage.repositories.audit import AuditRepository
from tests.integration.conftest import AT, Database

KEY = b"a" * 32


def _append(session: Session, actor: str) -> AuditEntry:
    return audit.append(session, KEY, at=AT, actor_id=actor,
                        actor_role="health-authority", action="registry.resident.read",
                        subject="p1-x", area="fz")


def test_concurrent_appends_never_fork_the_chain(db: Database) -> None:
    """A second append waits for the first transaction (PostgreSQL: an advisory lock;
    SQLite: the write lock taken before the head is read), then seals onto its entry."""
    first = db.session()
    _append(first, "one")
    outcome: dict[str, object] = {}

    def second() -> None:
        session = db.session()
        try:
            outcome["entry"] = _append(session, "two")
            session.commit()
        except SQLAlchemyError as exc:
            outcome["error"] = exc
            session.rollback()
        finally:
            session.close()

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.5)
    assert thread.is_alive(), "the second append must wait for the first transaction"
    first.commit()
    first.close()
    thread.join(15)
    assert not thread.is_alive()
    assert "error" not in outcome, outcome.get("error")
    entry = outcome["entry"]
    assert isinstance(entry, AuditEntry) and entry.sequence == 2
    with db.session() as session:
        log = list(AuditRepository(session).stream())
        report = audit.verify(session, KEY)
    assert report.ok and [e.sequence for e in log] == [1, 2]


def test_many_requests_appending_at_once_all_land_on_one_chain(db: Database) -> None:
    """Audited reads from eight threads at once: none fails, the chain has every entry."""
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def reader(number: int) -> None:
        start.wait()
        try:
            for _ in range(10):
                with unit_of_work(db.sessions) as session:
                    _append(session, f"reader-{number}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors[:2]
    with db.session() as session:
        log = list(AuditRepository(session).stream())
        report = audit.verify(session, KEY)
    assert report.ok and [e.sequence for e in log] == list(range(1, 81))


def test_users_are_one_per_spelling_and_log_in(db: Database) -> None:
    with unit_of_work(db.sessions) as session:
        AreaRepository(session).upsert([Area.of("fz", "Fangzi")])
        user = users.create_user(session, username="  Li.Na ", display_name="", role="inspector",
                                 scope="fz", password="Correct-horse-9", at=AT)
    assert (user.username, user.display_name, user.has_password) == ("li.na", "li.na", True)
    with unit_of_work(db.sessions) as session:
        assert users.authenticate(session, "LI.NA", "Correct-horse-9").id == user.id
        with pytest.raises(AuthenticationError):
            users.authenticate(session, "li.na", "Correct-horse-0")
        issued = tokens.issue_session_token(session, user, at=AT, lifetime=timedelta(hours=1))
    with unit_of_work(db.sessions) as session:
        principal, token_id = tokens.authenticate_token(session, issued.text, AT)
        assert (principal.user_id, str(principal.role), token_id) == ("li.na", "inspector",
                                                                      issued.token_id)
        with pytest.raises(AuthenticationError) as expired:
            tokens.authenticate_token(session, issued.text, AT + timedelta(hours=1))
        assert expired.value.code == "token-expired"
