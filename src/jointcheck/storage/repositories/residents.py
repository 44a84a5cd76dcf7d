"""Queries of residents and their contraindication certificates.

Personal fields are encrypted here, on the way in, and decrypted on the way out, each bound to
``resident/<pid>/<field>`` so a ciphertext moved to another row or column does not open.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, func, insert, select, update
from sqlalchemy.orm import Session

from jointcheck.registry.people import Contraindication, Resident, Sex
from jointcheck.security.fieldcrypt import FieldCipher
from jointcheck.storage.models import ContraindicationRow, ResidentRow
from jointcheck.storage.repositories._chunks import chunked, distinct, table_of
from jointcheck.storage.repositories._sql import within

ENCRYPTED = ("name", "id_number", "phone", "address")


def context(pid: str, field: str) -> str:
    """Return the associated data that binds a ciphertext to its row and column."""
    return f"resident/{pid}/{field}"


def resident_values(resident: Resident, id_number: str, cipher: FieldCipher, digest: str,
                    at: datetime) -> dict[str, Any]:
    """Return the column values of ``resident``, personal fields encrypted."""
    clear = {"name": resident.name, "id_number": id_number, "phone": resident.phone,
             "address": resident.address}
    values: dict[str, Any] = {f"{field}_enc": cipher.encrypt(clear[field],
                                                             context(resident.pid, field))
                              for field in ENCRYPTED}
    return values | {"pid": resident.pid, "sex": resident.sex.value,
                     "birth_date": resident.birth_date, "area_code": resident.area,
                     "content_digest": digest, "updated_at": at}


class ResidentRepository:
    """Residents by pid, written in batches."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def digests(self, pids: Sequence[str]) -> dict[str, tuple[int, str]]:
        """Return ``pid -> (row id, content digest)`` for the pids that are stored."""
        found: dict[str, tuple[int, str]] = {}
        for batch in chunked(distinct(pids)):
            rows = self.session.execute(
                select(ResidentRow.pid, ResidentRow.id, ResidentRow.content_digest)
                .where(ResidentRow.pid.in_(batch)))
            found.update((pid, (row_id, digest)) for pid, row_id, digest in rows)
        return found

    def existing(self, pids: Sequence[str]) -> set[str]:
        """Return the pids among ``pids`` that are stored."""
        found: set[str] = set()
        for batch in chunked(distinct(pids)):
            found.update(self.session.scalars(
                select(ResidentRow.pid).where(ResidentRow.pid.in_(batch))))
        return found

    def insert_many(self, rows: list[dict[str, Any]]) -> None:
        """Insert rows made by ``resident_values`` in one statement."""
        if rows:
            self.session.execute(insert(table_of(ResidentRow)), rows)

    def update_many(self, rows: list[dict[str, Any]]) -> None:
        """Update stored residents; each row carries its ``id``."""
        if rows:
            self.session.execute(update(ResidentRow), rows)

    def get(self, pid: str, cipher: FieldCipher) -> Resident | None:
        """Return the resident with ``pid``, decrypted, or None."""
        row = self.session.scalars(select(ResidentRow).where(ResidentRow.pid == pid)).first()
        if row is None:
            return None
        return Resident(pid=row.pid, name=cipher.decrypt(row.name_enc, context(pid, "name")),
                        sex=Sex(row.sex), birth_date=row.birth_date,
                        phone=cipher.decrypt(row.phone_enc, context(pid, "phone")),
                        address=cipher.decrypt(row.address_enc, context(pid, "address")),
                        area=row.area_code)

    def id_number(self, pid: str, cipher: FieldCipher) -> str | None:
        """Return the national id number of ``pid``, decrypted, or None."""
        blob = self.session.scalar(select(ResidentRow.id_number_enc)
                                   .where(ResidentRow.pid == pid))
        return cipher.decrypt(blob, context(pid, "id_number")) if blob is not None else None

    def count(self, scope: str | None = None) -> int:
        """Return the number of residents, within area ``scope`` if given."""
        query = select(func.count()).select_from(ResidentRow)
        if scope is not None:
            query = query.where(_within(scope))
        return self.session.scalar(query) or 0

    def area_of(self, pid: str) -> str | None:
        """Return the area code of ``pid``, or None if no such resident is stored."""
        return self.session.scalar(select(ResidentRow.area_code).where(ResidentRow.pid == pid))

    def in_area(self, scope: str, cipher: FieldCipher, *, limit: int,
                offset: int) -> list[ResidentSummary]:
        """Return a page of the residents within area ``scope``, by pid, name decrypted."""
        rows = self.session.execute(
            select(ResidentRow.pid, ResidentRow.name_enc, ResidentRow.sex,
                   ResidentRow.birth_date, ResidentRow.area_code)
            .where(_within(scope)).order_by(ResidentRow.pid).limit(limit).offset(offset))
        return [ResidentSummary(pid, cipher.decrypt(name, context(pid, "name")), sex, born, area)
                for pid, name, sex, born, area in rows]


class ResidentSummary(NamedTuple):
    """The fields of a resident in a list: no id number, phone or address."""

    pid: str
    name: str
    sex: str
    birth_date: date
    area: str


def _within(scope: str) -> ColumnElement[bool]:
    return within(ResidentRow.area_code, scope)


class ContraindicationRepository:
    """Contraindication certificates of residents."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, certificate: Contraindication) -> None:
        """Store a certificate (its certificate id is unique)."""
        self.session.add(ContraindicationRow(
            certificate_id=certificate.certificate_id, pid=certificate.pid,
            institution=certificate.institution,
            institution_level=certificate.institution_level,
            reason_category=certificate.reason_category, valid_from=certificate.valid_from,
            valid_until=certificate.valid_until))
        self.session.flush()

    def for_person(self, pid: str, valid_on: date | None = None) -> list[Contraindication]:
        """Return the certificates of ``pid``, only those in force on ``valid_on`` if given."""
        query = select(ContraindicationRow).where(ContraindicationRow.pid == pid)
        if valid_on is not None:
            query = query.where(ContraindicationRow.valid_from <= valid_on,
                                ContraindicationRow.valid_until >= valid_on)
        return [Contraindication(row.pid, row.institution, row.institution_level,
                                 row.reason_category, row.valid_from, row.valid_until,
                                 row.certificate_id)
                for row in self.session.scalars(query.order_by(ContraindicationRow.valid_from))]
