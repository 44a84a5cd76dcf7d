"""Queries of the daily roll-ups: what a day's facts are made from, and the facts themselves.

A day is replaced whole: ``replace_day`` deletes the day's rows of both fact tables and
inserts the new ones in the caller's transaction, so a rerun leaves the same rows and a
reader never sees half a day (the statements run in one transaction, on SQLite and
PostgreSQL alike). PostgreSQL takes the fact rows by COPY; SQLite by executemany.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from jointcheck.reporting.daily import StreetCheckFact, StreetVenue, VenueCount, VenuePlace
from jointcheck.storage.models import (
    AreaRow,
    CheckCountRow,
    DailyStreetCheckRow,
    DailyStreetTotalRow,
    RegistrationRow,
    ResidentRow,
    VaccinationRow,
    VenueRow,
)
from jointcheck.storage.repositories._chunks import chunked, copy_rows, table_of


class ReportRepository:
    """The inputs and the rows of the daily street roll-ups."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def venue_counts(self, start: datetime, end: datetime) -> list[VenueCount]:
        """Return the checks per venue and outcome in the UTC hours from ``start`` to ``end``."""
        total = func.sum(CheckCountRow.count)
        rows = self.session.execute(
            select(CheckCountRow.venue_code, CheckCountRow.outcome, total)
            .where(CheckCountRow.hour >= start, CheckCountRow.hour < end)
            .group_by(CheckCountRow.venue_code, CheckCountRow.outcome))
        return [VenueCount(venue, outcome, int(count)) for venue, outcome, count in rows]

    def venue_places(self) -> dict[str, VenuePlace]:
        """Return every venue's street and category, by venue code."""
        rows = self.session.execute(
            select(VenueRow.code, VenueRow.street_code, VenueRow.category))
        return {code: VenuePlace(street, category) for code, street, category in rows}

    def streets(self) -> list[str]:
        """Return the codes of the district's streets, sorted."""
        return list(self.session.scalars(
            select(AreaRow.code).where(AreaRow.level == "street").order_by(AreaRow.code)))

    def is_street(self, code: str) -> bool:
        """Tell whether ``code`` is a registered street."""
        row = self.session.get(AreaRow, code)
        return row is not None and row.level == "street"

    def registrations_by_street(self, start: datetime, end: datetime) -> dict[str, int]:
        """Return the registrations taken down from ``start`` up to ``end``, per street."""
        rows = self.session.execute(
            select(VenueRow.street_code, func.count())
            .select_from(RegistrationRow).join(VenueRow,
                                               VenueRow.code == RegistrationRow.venue_code)
            .where(RegistrationRow.registered_at >= start, RegistrationRow.registered_at < end)
            .group_by(VenueRow.street_code))
        return {street: int(count) for street, count in rows}

    def vaccinations_by_area(self, day: date) -> dict[str, int]:
        """Return the doses given on ``day``, per area code of the residents who had them."""
        rows = self.session.execute(
            select(ResidentRow.area_code, func.count())
            .select_from(VaccinationRow).join(ResidentRow,
                                              ResidentRow.pid == VaccinationRow.pid)
            .where(VaccinationRow.vaccinated_on == day)
            .group_by(ResidentRow.area_code))
        return {area: int(count) for area, count in rows}

    def replace_day(self, day: date, facts: Sequence[StreetCheckFact],
                    totals: Mapping[str, tuple[int, int]], timezone: str,
                    computed_at: datetime) -> None:
        """Replace the rows of ``day``: its check facts and its street totals.

        ``totals`` maps a street to its (registrations, new vaccinations).
        """
        for model in (DailyStreetCheckRow, DailyStreetTotalRow):
            self.session.execute(delete(model).where(model.day == day)
                                 .execution_options(synchronize_session=False))
        rows = [{"day": fact.day, "street_code": fact.street, "venue_code": fact.venue,
                 "category": fact.category, "outcome": fact.outcome, "count": fact.count}
                for fact in facts if fact.day == day]
        if rows and self.session.get_bind().dialect.name == "postgresql":
            # PostgreSQL's fast path: COPY, several times an executemany of a busy day's rows.
            copy_rows(self.session.connection(), table_of(DailyStreetCheckRow), rows)
        else:
            for batch in chunked(rows):
                self.session.execute(insert(table_of(DailyStreetCheckRow)), batch)
        street_rows = [{"day": day, "street_code": street, "timezone": timezone,
                        "registrations": registrations, "new_vaccinations": vaccinations,
                        "computed_at": computed_at}
                       for street, (registrations, vaccinations) in sorted(totals.items())]
        if street_rows:
            self.session.execute(insert(table_of(DailyStreetTotalRow)), street_rows)

    def day_facts(self, day: date, street: str) -> list[StreetCheckFact]:
        """Return a street's check facts of ``day``."""
        rows = self.session.execute(
            select(DailyStreetCheckRow.day, DailyStreetCheckRow.street_code,
                   DailyStreetCheckRow.venue_code, DailyStreetCheckRow.category,
                   DailyStreetCheckRow.outcome, DailyStreetCheckRow.count)
            .where(DailyStreetCheckRow.day == day, DailyStreetCheckRow.street_code == street)
            .order_by(DailyStreetCheckRow.venue_code, DailyStreetCheckRow.category,
                      DailyStreetCheckRow.outcome))
        return [StreetCheckFact(*row) for row in rows]

    def day_totals(self, day: date, street: str) -> DailyStreetTotalRow | None:
        """Return a street's totals of ``day``, or None if the day was not rolled up."""
        return self.session.get(DailyStreetTotalRow, (day, street))

    def street_venues(self, street: str) -> list[StreetVenue]:
        """Return the venues registered in ``street``, by code."""
        rows = self.session.execute(
            select(VenueRow.code, VenueRow.name, VenueRow.category)
            .where(VenueRow.street_code == street).order_by(VenueRow.code))
        return [StreetVenue(*row) for row in rows]

    def fact_count(self, day: date) -> int:
        """Return how many check fact rows ``day`` holds."""
        return int(self.session.scalar(select(func.count()).select_from(DailyStreetCheckRow)
                                       .where(DailyStreetCheckRow.day == day)) or 0)
