"""Queries of follow-up: open and close cases, their outcomes, the registry facts a worklist
needs (candidates to follow up, the people whose open case the registry settles, visits to
vulnerable venues), and door-to-door surveys.

Who is a candidate and what settles a case is decided by the pure core under the policy pack
(``jointcheck.followup.is_candidate``, ``system_closing``); SQL only narrows the rows it reads
first (the area, no dose of an accepted product, the case history) and reads the facts in
chunks (``status_facts.person_facts``).

Names, phones and addresses are read from the registry and decrypted here, on the way out,
only for the cases a worklist shows; a survey's address label is encrypted here, bound to
``survey/<id>/address``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from jointcheck.followup import (
    REOPENED_AFTER,
    SYSTEM_WORKER,
    VULNERABLE_CATEGORIES,
    BandBounds,
    CaseStatus,
    Outcome,
    Source,
    SurveyMember,
    is_candidate,
    system_closing,
)
from jointcheck.rules.policy import PolicyPack
from jointcheck.rules.status import PersonFacts
from jointcheck.security.fieldcrypt import FieldCipher
from jointcheck.storage.models import (
    FollowupCaseRow,
    FollowupOutcomeRow,
    RegistrationRow,
    ResidentRow,
    SurveyMemberRow,
    SurveyRow,
    VenueRow,
)
from jointcheck.storage.repositories._chunks import chunked, distinct, table_of
from jointcheck.storage.repositories._sql import upsert_insert, within
from jointcheck.storage.repositories.residents import context
from jointcheck.storage.repositories.status_facts import accepted_dose, person_facts


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
class SurveyPerson:
    """What the registry says of a surveyed person: the area it files them under, whether
    they have an open case, and what their status needs."""

    area: str
    open_case: bool
    facts: PersonFacts


@dataclass(frozen=True, slots=True)
class Settled:
    """An open case the registry settles: the outcome and note ``system`` records."""

    outcome: Outcome
    note: str


def _followed_up_for_good(pid: Any) -> Any:
    # The person's latest case is open, or closed with an outcome that does not reopen.
    latest, later = aliased(FollowupCaseRow), aliased(FollowupCaseRow)
    return exists().where(
        latest.pid == pid,
        or_(latest.status == CaseStatus.OPEN.value,
            latest.last_outcome.not_in(sorted(o.value for o in REOPENED_AFTER))),
        ~exists().where(later.pid == latest.pid, later.id > latest.id))


def _registered(pid: Any) -> Any:
    return exists().where(RegistrationRow.pid == pid)


class FollowupRepository:
    """Follow-up cases and their outcomes, and the registry facts they are computed from."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def candidates(self, area: str, born_by: date, today: date,
                   pack: PolicyPack) -> list[Candidate]:
        """Return the residents of ``area`` to open a case for on ``today``: candidates
        under ``pack`` (``is_candidate``; born on or before ``born_by`` or registered at a
        venue's door) with no case, or whose latest case closed as ``exemption-presented``.

        SQL reads the residents with no dose of a product the pack accepts and without an
        open or final case; their doses and certificates are then read and classified in
        chunks of pids."""
        registered = _registered(ResidentRow.pid)
        rows = self.session.execute(
            select(ResidentRow.pid, ResidentRow.area_code, registered)
            .where(within(ResidentRow.area_code, area),
                   ~accepted_dose(ResidentRow.pid, pack, today),
                   ~_followed_up_for_good(ResidentRow.pid),
                   or_(ResidentRow.birth_date <= born_by, registered))
            .order_by(ResidentRow.pid)).all()
        found: list[Candidate] = []
        for batch in chunked(rows):
            facts = person_facts(self.session, [pid for pid, _, _ in batch])
            found.extend(
                Candidate(pid, code, Source.REGISTRATION if was_registered else Source.REGISTRY)
                for pid, code, was_registered in batch
                if is_candidate(pack, facts[pid], today, registered=bool(was_registered)))
        return found

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
        statement = upsert_insert(self.session, FollowupCaseRow).on_conflict_do_nothing(
            index_elements=["open_pid"]).returning(table.c.id)
        opened = 0
        for batch in chunked(rows):
            opened += len(self.session.execute(statement, batch).scalars().all())
        return opened

    def close_settled(self, area: str | None, today: date, at: datetime,
                      pack: PolicyPack, pids: Collection[str] | None = None) -> int:
        """Close every open case (within ``area`` if given, of ``pids`` if given) that the
        registry settles under ``pack`` (``system_closing``: an accepted dose, else an
        accepted exemption in force), by ``system``; return how many."""
        return self.close_by_system(self.settled_open_cases(area, today, pack, pids),
                                    today, at)

    def settled_open_cases(self, area: str | None, today: date, pack: PolicyPack,
                           pids: Collection[str] | None = None) -> dict[int, Settled]:
        """Return the open cases (within ``area`` if given, of ``pids`` if given) that the
        registry settles on ``today`` under ``pack``, each with the outcome and note that
        close it."""
        query = (select(FollowupCaseRow.id, FollowupCaseRow.pid)
                 .where(FollowupCaseRow.status == CaseStatus.OPEN.value)
                 .order_by(FollowupCaseRow.id))
        if area is not None:
            query = query.where(within(FollowupCaseRow.area_code, area))
        if pids is not None:
            rows = [row for chunk in chunked(sorted(set(pids)))
                    for row in self.session.execute(
                        query.where(FollowupCaseRow.open_pid.in_(chunk))).all()]
        else:
            rows = list(self.session.execute(query).all())
        settled: dict[int, Settled] = {}
        for batch in chunked(rows):
            facts = person_facts(self.session, [pid for _, pid in batch])
            for case_id, pid in batch:
                closing = system_closing(pack, facts[pid], today) if pid in facts else None
                if closing is not None:
                    settled[case_id] = Settled(*closing)
        return settled

    def close_by_system(self, settled: dict[int, Settled], today: date, at: datetime) -> int:
        """Close the cases of ``settled`` still open with their outcome by ``system``;
        return how many this call closed.

        ``UPDATE ... WHERE status = 'open' RETURNING id``, and only the cases this call
        closed get the outcome row: a case closed meanwhile by another transaction
        (PostgreSQL re-checks the condition once the other commits) gets none. Cases are
        updated in id order.
        """
        table = table_of(FollowupCaseRow)
        closed: list[int] = []
        for outcome in sorted({s.outcome for s in settled.values()}):
            ids = sorted(case_id for case_id, s in settled.items() if s.outcome is outcome)
            for batch in chunked(ids):
                closed.extend(self.session.execute(
                    update(table).where(table.c.id.in_(batch),
                                        table.c.status == CaseStatus.OPEN.value)
                    .values(status=CaseStatus.CLOSED.value, open_pid=None, closed_on=today,
                            last_outcome=outcome.value, last_outcome_on=today)
                    .returning(table.c.id)).scalars())
        if closed:
            self.session.execute(insert(table_of(FollowupOutcomeRow)), [
                {"case_id": case_id, "outcome": settled[case_id].outcome.value,
                 "outcome_on": today, "worker": SYSTEM_WORKER, "note": settled[case_id].note,
                 "recorded_at": at} for case_id in sorted(closed)])
        return len(closed)

    def count_open(self, area: str) -> int:
        """Return the number of open cases within ``area``."""
        return self.session.scalar(
            select(func.count()).select_from(FollowupCaseRow).where(
                FollowupCaseRow.status == CaseStatus.OPEN.value,
                within(FollowupCaseRow.area_code, area))) or 0

    def _select(self) -> Any:
        return (select(FollowupCaseRow, ResidentRow.birth_date)
                .join(ResidentRow, ResidentRow.pid == FollowupCaseRow.pid))

    def ordered_cases(self, area: str, status: str,
                      bounds: BandBounds) -> Iterator[tuple[int, int, StoredCase]]:
        """Yield the cases within ``area`` (``open``, ``closed`` or ``all``) as (0 open / 1
        closed, band, case), ordered by those two, then birth date (older first) and id.

        The band is worked out in SQL from ``bounds`` and the visits to vulnerable venues,
        as ``jointcheck.followup.assess`` does; the rows stream, so that a caller wanting the
        first few reads no further than it needs."""
        visited = exists().where(
            RegistrationRow.pid == FollowupCaseRow.pid, VenueRow.code == RegistrationRow.venue_code,
            VenueRow.category.in_(sorted(VULNERABLE_CATEGORIES)))
        whens: list[Any] = [(or_(ResidentRow.birth_date <= bounds.older_born_by, visited), 1)]
        if bounds.long_born_by is not None:
            whens.append((ResidentRow.birth_date <= bounds.long_born_by, 2))
        band = case(*whens, else_=3)
        closed = case((FollowupCaseRow.status == CaseStatus.OPEN.value, 0), else_=1)
        query = (self._select().add_columns(closed, band)
                 .where(within(FollowupCaseRow.area_code, area))
                 .order_by(closed, band, ResidentRow.birth_date, FollowupCaseRow.id))
        if status != "all":
            query = query.where(FollowupCaseRow.status == status)
        result = self.session.execute(query.execution_options(yield_per=500))
        try:
            for row in result:
                yield row[2], row[3], _case((row[0], row[1]))
        finally:
            result.close()

    def cases(self, area: str, status: str) -> list[StoredCase]:
        """Return the cases within ``area`` (``open``, ``closed`` or ``all``)."""
        query = self._select().where(within(FollowupCaseRow.area_code, area))
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
            .where(within(FollowupCaseRow.area_code, area))
            .group_by(FollowupCaseRow.status, FollowupCaseRow.last_outcome))
        return [(CaseStatus(status), Outcome(last) if last is not None else None, count)
                for status, last, count in rows]

    def people(self, pids: Sequence[str]) -> dict[str, SurveyPerson]:
        """Return the registry facts of the stored residents among ``pids``."""
        has_open = exists().where(FollowupCaseRow.open_pid == ResidentRow.pid)
        found: dict[str, SurveyPerson] = {}
        for batch in chunked(distinct(pids)):
            facts = person_facts(self.session, batch)
            rows = self.session.execute(
                select(ResidentRow.pid, ResidentRow.area_code, has_open)
                .where(ResidentRow.pid.in_(batch)))
            found.update((pid, SurveyPerson(area, bool(open_case), facts[pid]))
                         for pid, area, open_case in rows)
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
            select(SurveyRow.area_code, func.count()).where(within(SurveyRow.area_code, area))
            .group_by(SurveyRow.area_code))
        return {code: count for code, count in rows}

    def members_by_status(self, area: str) -> list[tuple[str, str, int]]:
        """Return (survey area, reported status, members) within ``area``."""
        rows = self.session.execute(
            select(SurveyRow.area_code, SurveyMemberRow.status, func.count())
            .join(SurveyRow, SurveyRow.id == SurveyMemberRow.survey_id)
            .where(within(SurveyRow.area_code, area))
            .group_by(SurveyRow.area_code, SurveyMemberRow.status))
        return [(code, status, count) for code, status, count in rows]


def _case(row: Any) -> StoredCase:
    case, born = row
    return StoredCase(
        case.id, case.pid, case.area_code, Source(case.source), CaseStatus(case.status),
        case.opened_on, case.closed_on,
        Outcome(case.last_outcome) if case.last_outcome is not None else None,
        case.last_outcome_on, born)
