"""Queries of follow-up: open and close cases, their outcomes, the registry facts a worklist
needs (eligible unvaccinated residents, dose records, visits to vulnerable venues), and
door-to-door surveys.

Names, phones and addresses are read from the registry and decrypted here, on the way out,
only for the cases a worklist shows; a survey's address label is encrypted here, bound to
``survey/<id>/address``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from jointcheck.followup import (
    SYSTEM_WORKER,
    VULNERABLE_CATEGORIES,
    CaseStatus,
    Outcome,
    Source,
    SurveyMember,
)
from jointcheck.security.fieldcrypt import FieldCipher
from jointcheck.storage.models import (
    ContraindicationRow,
    FollowupCaseRow,
    FollowupOutcomeRow,
    RegistrationRow,
    ResidentRow,
    SurveyMemberRow,
    SurveyRow,
    VaccinationRow,
    VenueRow,
)
from jointcheck.storage.repositories._chunks import chunked, distinct, table_of
from jointcheck.storage.repositories.residents import context


def _within(column: Any, area: str) -> ColumnElement[bool]:
    return or_(column == area, column.startswith(area + ".", autoescape=True))


def survey_context(survey_id: int) -> str:
    """Return the associated data that binds a survey's address ciphertext to its row."""
    return f"survey/{survey_id}/address"


@dataclass(frozen=True, slots=True)
class StoredCase:
    """A case with the person's birth date (what its order needs; no personal field)."""

    id: int
    pid: str
    area: str
    source: Source
    status: CaseStatus
    opened_on: date
    closed_on: date | None
    last_outcome: Outcome | None
    last_outcome_on: date | None
    birth_date: date


@dataclass(frozen=True, slots=True)
class Contact:
    """How a worker finds the person of a case: name, phone and address, decrypted."""

    name: str
    phone: str
    address: str


@dataclass(frozen=True, slots=True)
class StoredOutcome:
    """One outcome of a case."""

    outcome: Outcome
    on: date
    worker: str
    note: str | None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A resident to open a case for."""

    pid: str
    area: str
    source: Source


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What the registry says of a person for follow-up."""

    pid: str
    area: str
    birth_date: date
    dosed: bool
    exempt: bool
    open_case: bool


def _dosed(pid: Any) -> Any:
    return exists().where(VaccinationRow.pid == pid)


def _exempt(pid: Any, on: date) -> Any:
    return exists().where(ContraindicationRow.pid == pid, ContraindicationRow.valid_from <= on,
                          ContraindicationRow.valid_until >= on)


def _registered(pid: Any) -> Any:
    return exists().where(RegistrationRow.pid == pid)


class FollowupRepository:
    """Follow-up cases and their outcomes, and the registry facts they are computed from."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def candidates(self, area: str, born_by: date, today: date) -> list[Candidate]:
        """Return the residents of ``area`` to open a case for: no dose recorded, no
        contraindication in force ``today``, born on or before ``born_by`` or registered
        at a venue's door, and never followed up before."""
        has_case = exists().where(FollowupCaseRow.pid == ResidentRow.pid)
        registered = _registered(ResidentRow.pid)
        rows = self.session.execute(
            select(ResidentRow.pid, ResidentRow.area_code, registered)
            .where(_within(ResidentRow.area_code, area), ~_dosed(ResidentRow.pid),
                   ~_exempt(ResidentRow.pid, today), ~has_case,
                   or_(ResidentRow.birth_date <= born_by, registered))
            .order_by(ResidentRow.pid))
        return [Candidate(pid, code, Source.REGISTRATION if was_registered else Source.REGISTRY)
                for pid, code, was_registered in rows]

    def _insert(self) -> postgresql.Insert | sqlite.Insert:
        table = table_of(FollowupCaseRow)
        if self.session.get_bind().dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    def open_cases(self, candidates: Iterable[Candidate], today: date, at: datetime) -> int:
        """Open a case for each candidate without an open case; return how many were opened.

        ``INSERT ... ON CONFLICT (open_pid) DO NOTHING RETURNING id``: a person who got an
        open case from another transaction meanwhile (two refreshes, or a refresh and a
        survey, at the same time) is passed over instead of failing the whole call. On
        PostgreSQL the second transaction waits for the first on the same pid and then
        inserts nothing; SQLite has one writer at a time. Rows go in pid order, so two
        overlapping calls take their locks in the same order.
        """
        rows = [{"pid": c.pid, "open_pid": c.pid, "area_code": c.area, "source": c.source.value,
                 "status": CaseStatus.OPEN.value, "opened_on": today, "opened_at": at}
                for c in sorted(candidates, key=lambda c: c.pid)]
        if not rows:
            return 0
        table = table_of(FollowupCaseRow)
        statement = self._insert().on_conflict_do_nothing(
            index_elements=["open_pid"]).returning(table.c.id)
        opened = 0
        for batch in chunked(rows):
            opened += len(self.session.execute(statement, batch).scalars().all())
        return opened

    def close_dosed(self, area: str | None, today: date, at: datetime) -> int:
        """Close every open case (within ``area`` if given) whose person has a dose
        recorded, with the outcome ``vaccinated`` by ``system``; return how many."""
        return self.close_vaccinated(self.dosed_open_cases(area), today, at)

    def dosed_open_cases(self, area: str | None) -> dict[int, date]:
        """Return the open cases (within ``area`` if given) whose person has a dose
        recorded, each with the day of the person's latest dose."""
        query = (select(FollowupCaseRow.id, func.max(VaccinationRow.vaccinated_on))
                 .join(VaccinationRow, VaccinationRow.pid == FollowupCaseRow.pid)
                 .where(FollowupCaseRow.status == CaseStatus.OPEN.value)
                 .group_by(FollowupCaseRow.id))
        if area is not None:
            query = query.where(_within(FollowupCaseRow.area_code, area))
        return {case_id: last for case_id, last in self.session.execute(query)}

    def close_vaccinated(self, last_dose: dict[int, date], today: date, at: datetime) -> int:
        """Close the cases of ``last_dose`` still open with the outcome ``vaccinated`` by
        ``system``; return how many this call closed.

        ``UPDATE ... WHERE status = 'open' RETURNING id``, and only the cases this call
        closed get the outcome row: a case closed meanwhile by another transaction
        (PostgreSQL re-checks the condition once the other commits) gets none. Cases are
        updated in id order.
        """
        table = table_of(FollowupCaseRow)
        closed: list[int] = []
        for batch in chunked(sorted(last_dose)):
            closed.extend(self.session.execute(
                update(table).where(table.c.id.in_(batch),
                                    table.c.status == CaseStatus.OPEN.value)
                .values(status=CaseStatus.CLOSED.value, open_pid=None, closed_on=today,
                        last_outcome=Outcome.VACCINATED.value, last_outcome_on=today)
                .returning(table.c.id)).scalars())
        if closed:
            self.session.execute(insert(table_of(FollowupOutcomeRow)), [
                {"case_id": case_id, "outcome": Outcome.VACCINATED.value, "outcome_on": today,
                 "worker": SYSTEM_WORKER, "note": f"dose record of {last_dose[case_id]}",
                 "recorded_at": at} for case_id in sorted(closed)])
        return len(closed)

    def count_open(self, area: str) -> int:
        """Return the number of open cases within ``area``."""
        return self.session.scalar(
            select(func.count()).select_from(FollowupCaseRow).where(
                FollowupCaseRow.status == CaseStatus.OPEN.value,
                _within(FollowupCaseRow.area_code, area))) or 0

    def _select(self) -> Any:
        return (select(FollowupCaseRow, ResidentRow.birth_date)
                .join(ResidentRow, ResidentRow.pid == FollowupCaseRow.pid))

    def cases(self, area: str, status: str) -> list[StoredCase]:
        """Return the cases within ``area`` (``open``, ``closed`` or ``all``)."""
        query = self._select().where(_within(FollowupCaseRow.area_code, area))
        if status != "all":
            query = query.where(FollowupCaseRow.status == status)
        return [_case(row) for row in self.session.execute(query)]

    def get(self, case_id: int) -> StoredCase | None:
        """Return the case ``case_id``, or None."""
        row = self.session.execute(self._select().where(FollowupCaseRow.id == case_id)).first()
        return _case(row) if row is not None else None

    def contacts(self, pids: Sequence[str], cipher: FieldCipher) -> dict[str, Contact]:
        """Return the name, phone and address of the residents among ``pids``, decrypted."""
        found: dict[str, Contact] = {}
        for batch in chunked(distinct(pids)):
            rows = self.session.execute(
                select(ResidentRow.pid, ResidentRow.name_enc, ResidentRow.phone_enc,
                       ResidentRow.address_enc).where(ResidentRow.pid.in_(batch)))
            found.update((pid, Contact(cipher.decrypt(name, context(pid, "name")),
                                       cipher.decrypt(phone, context(pid, "phone")),
                                       cipher.decrypt(address, context(pid, "address"))))
                         for pid, name, phone, address in rows)
        return found

    def area_of(self, case_id: int) -> str | None:
        """Return the area of case ``case_id``, or None when there is no such case."""
        return self.session.scalar(select(FollowupCaseRow.area_code)
                                   .where(FollowupCaseRow.id == case_id))

    def outcomes(self, case_id: int) -> list[StoredOutcome]:
        """Return the outcomes of a case, oldest first."""
        rows = self.session.scalars(
            select(FollowupOutcomeRow).where(FollowupOutcomeRow.case_id == case_id)
            .order_by(FollowupOutcomeRow.outcome_on, FollowupOutcomeRow.id))
        return [StoredOutcome(Outcome(r.outcome), r.outcome_on, r.worker, r.note) for r in rows]

    def add_outcome(self, case_id: int, outcome: Outcome, on: date, worker: str,
                    note: str | None, at: datetime, *, closes: bool) -> bool:
        """Store an outcome of an open case, and close the case when ``closes``; return
        False (and store nothing) when the case is no longer open.

        The case row is updated first, ``WHERE status = 'open'``: of two workers recording
        on one case at the same time, the second waits for the first (PostgreSQL) and finds
        the case closed if the first closed it.
        """
        values: dict[str, Any] = {"last_outcome": outcome.value, "last_outcome_on": on}
        if closes:
            values |= {"status": CaseStatus.CLOSED.value, "open_pid": None, "closed_on": on}
        updated = self.session.execute(
            update(FollowupCaseRow).where(FollowupCaseRow.id == case_id,
                                          FollowupCaseRow.status == CaseStatus.OPEN.value)
            .values(**values).returning(FollowupCaseRow.id)
            .execution_options(synchronize_session="fetch")).first()
        if updated is None:
            return False
        self.session.add(FollowupOutcomeRow(case_id=case_id, outcome=outcome.value,
                                            outcome_on=on, worker=worker, note=note,
                                            recorded_at=at))
        self.session.flush()
        return True

    def vulnerable_visits(self, pids: Sequence[str]) -> dict[str, int]:
        """Return per pid how many registrations were taken at vulnerable venues."""
        found: dict[str, int] = {}
        for batch in chunked(distinct(pids)):
            rows = self.session.execute(
                select(RegistrationRow.pid, func.count())
                .join(VenueRow, VenueRow.code == RegistrationRow.venue_code)
                .where(RegistrationRow.pid.in_(batch),
                       VenueRow.category.in_(sorted(VULNERABLE_CATEGORIES)))
                .group_by(RegistrationRow.pid))
            found.update((pid, count) for pid, count in rows)
        return found

    def stage_counts(self, area: str) -> list[tuple[CaseStatus, Outcome | None, int]]:
        """Return the number of cases within ``area`` per status and latest outcome."""
        rows = self.session.execute(
            select(FollowupCaseRow.status, FollowupCaseRow.last_outcome, func.count())
            .where(_within(FollowupCaseRow.area_code, area))
            .group_by(FollowupCaseRow.status, FollowupCaseRow.last_outcome))
        return [(CaseStatus(status), Outcome(last) if last is not None else None, count)
                for status, last, count in rows]

    def people(self, pids: Sequence[str], today: date) -> dict[str, PersonFacts]:
        """Return the registry facts of the stored residents among ``pids``."""
        has_open = exists().where(FollowupCaseRow.open_pid == ResidentRow.pid)
        found: dict[str, PersonFacts] = {}
        for batch in chunked(distinct(pids)):
            rows = self.session.execute(
                select(ResidentRow.pid, ResidentRow.area_code, ResidentRow.birth_date,
                       _dosed(ResidentRow.pid), _exempt(ResidentRow.pid, today), has_open)
                .where(ResidentRow.pid.in_(batch)))
            found.update((row[0], PersonFacts(*row)) for row in rows)
        return found

    def add_survey(self, area: str, on: date, address: str, members: Sequence[SurveyMember],
                   pids: Sequence[str], cipher: FieldCipher, recorded_by: str,
                   at: datetime) -> int:
        """Store a household and its members (``pids`` in the order of ``members``)."""
        row = SurveyRow(area_code=area, surveyed_on=on, address_enc=b"",
                        recorded_by=recorded_by, recorded_at=at)
        self.session.add(row)
        self.session.flush()
        row.address_enc = cipher.encrypt(address, survey_context(row.id))
        self.session.add_all(SurveyMemberRow(survey_id=row.id, pid=pid,
                                             status=member.status.value, note=member.note)
                             for member, pid in zip(members, pids, strict=True))
        self.session.flush()
        return row.id

    def survey_address(self, survey_id: int, cipher: FieldCipher) -> str | None:
        """Return the address label of a survey, decrypted, or None."""
        blob = self.session.scalar(select(SurveyRow.address_enc)
                                   .where(SurveyRow.id == survey_id))
        return cipher.decrypt(blob, survey_context(survey_id)) if blob is not None else None

    def households(self, area: str) -> dict[str, int]:
        """Return the number of households surveyed per survey area within ``area``."""
        rows = self.session.execute(
            select(SurveyRow.area_code, func.count()).where(_within(SurveyRow.area_code, area))
            .group_by(SurveyRow.area_code))
        return {code: count for code, count in rows}

    def members_by_status(self, area: str) -> list[tuple[str, str, int]]:
        """Return (survey area, reported status, members) within ``area``."""
        rows = self.session.execute(
            select(SurveyRow.area_code, SurveyMemberRow.status, func.count())
            .join(SurveyRow, SurveyRow.id == SurveyMemberRow.survey_id)
            .where(_within(SurveyRow.area_code, area))
            .group_by(SurveyRow.area_code, SurveyMemberRow.status))
        return [(code, status, count) for code, status, count in rows]


def _case(row: Any) -> StoredCase:
    case, born = row
    return StoredCase(
        case.id, case.pid, case.area_code, Source(case.source), CaseStatus(case.status),
        case.opened_on, case.closed_on,
        Outcome(case.last_outcome) if case.last_outcome is not None else None,
        case.last_outcome_on, born)
