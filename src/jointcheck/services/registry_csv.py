"""CSV sources of the registry import: areas, residents and vaccination records.

UTF-8 (a byte order mark is allowed), comma-separated, a header line naming the columns in any
order; every column below must be there and no other:

- areas: ``code,name`` (``fz``, ``fz.s01``, ``fz.s01.c02``...; the level follows from the
  code, parents are written before their children whatever the file's order);
- residents: ``id_number,name,sex,birth_date,phone,address,area`` (``phone`` and ``address``
  may be empty; ``sex`` is ``male``/``female``/``other``/``unknown``, ``M``/``F`` or 男/女;
  ``area`` is the code of the resident's area, usually a grid or community);
- vaccinations: ``id_number,product,dose_number,series_total,date,site,lot`` (``product`` is a
  DCC value-set code such as ``BBIBP-CorV``; an empty ``series_total`` means the product's
  primary series; ``site`` and ``lot`` may be empty).

Line numbers are the file's, counting the header as line 1; a quoted field that spans lines
is reported at the line where its row starts.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from jointcheck.errors import RegistryError
from jointcheck.registry.areas import Area
from jointcheck.registry.fields import parse_date, parse_positive, require
from jointcheck.registry.people import Resident, VaccinationRecord, parse_sex
from jointcheck.registry.products import product
from jointcheck.security.pseudonym import normalise_id_number, pseudonymise
from jointcheck.services.import_engine import Item, ResidentEntry

AREA_COLUMNS = ("code", "name")
RESIDENT_COLUMNS = ("id_number", "name", "sex", "birth_date", "phone", "address", "area")
VACCINATION_COLUMNS = ("id_number", "product", "dose_number", "series_total", "date", "site",
                       "lot")
MAX_ID_NUMBER = 32

Row = dict[str, str]


def rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, Row | RegistryError]]:
    """Yield (line, row) for each row of ``path``, or (line, error) for a malformed one."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        line = 1
        try:
            header = [h.strip() for h in next(reader, [])]
            if sorted(header) != sorted(columns):
                yield 1, RegistryError("bad-header", f"the header must name the columns "
                                       f"{','.join(columns)}; it is {','.join(header) or 'empty'}")
                return
            line = reader.line_num + 1
            for fields in reader:
                start, line = line, reader.line_num + 1
                if not fields or fields == [""]:
                    continue
                if len(fields) != len(header):
                    yield start, RegistryError("bad-csv", f"{len(fields)} fields where the header "
                                               f"has {len(header)}")
                    continue
                yield start, dict(zip(header, fields, strict=True))
        except csv.Error as exc:
            yield line, RegistryError("bad-csv", f"malformed CSV ({exc}); the rest of the "
                                      "file is not read")
        except UnicodeDecodeError:
            yield line, RegistryError("bad-csv", "the file is not UTF-8 text")


def pid_of(id_number: str, key: bytes) -> str:
    """Return the pseudonymous id of a national id number, checking its form."""
    number = normalise_id_number(require(id_number, "id_number"))
    if len(number) > MAX_ID_NUMBER or not number.isalnum():
        raise RegistryError("bad-id-number", "the id number is not letters and digits only")
    return pseudonymise(number, key)


def read_areas(path: Path) -> tuple[list[tuple[int, Area]], list[tuple[int, RegistryError]]]:
    """Return the areas of an areas CSV and the rows that were rejected."""
    good: list[tuple[int, Area]] = []
    bad: list[tuple[int, RegistryError]] = []
    for line, row in rows(path, AREA_COLUMNS):
        try:
            if isinstance(row, RegistryError):
                raise row
            good.append((line, Area.of(row["code"], row["name"])))
        except RegistryError as error:
            bad.append((line, error))
    return good, bad


@dataclass(frozen=True)
class CsvSource:
    """A residents or vaccinations CSV file, read afresh on each pass.

    The pids are remembered by id number for the life of the source: a person's rows and the
    second pass then cost one keyed hash per person, not one per row and pass.
    """

    path: Path
    columns: tuple[str, ...]
    parse: Callable[[Row, str, int], Item]
    pseudonym_key: bytes
    pids: dict[str, str] = field(default_factory=dict, repr=False)

    def pid(self, id_number: str) -> str:
        """Return the pid of ``id_number`` (remembered)."""
        pid = self.pids.get(id_number)
        if pid is None:
            pid = self.pids[id_number] = pid_of(id_number, self.pseudonym_key)
        return pid

    def items(self) -> Iterator[Item]:
        for line, row in rows(self.path, self.columns):
            if isinstance(row, RegistryError):
                yield Item(line, None, error=row)
                continue
            try:
                pid = self.pid(row["id_number"])
            except RegistryError as error:
                yield Item(line, None, error=error)
                continue
            try:
                yield self.parse(row, pid, line)
            except RegistryError as error:
                yield Item(line, pid, error=error)


def _resident(row: Row, pid: str, line: int) -> Item:
    resident = Resident(
        pid=pid, name=require(row["name"], "name"), sex=parse_sex(row["sex"]),
        birth_date=parse_date(row["birth_date"], "birth_date"), phone=row["phone"].strip(),
        address=row["address"].strip(), area=require(row["area"], "area").lower())
    number = normalise_id_number(row["id_number"])
    return Item(line, pid, resident=ResidentEntry(resident, number))


def _vaccination(row: Row, pid: str, line: int) -> Item:
    found = product(require(row["product"], "product"))
    total = row["series_total"].strip()
    record = VaccinationRecord(
        pid=pid, product=found.code, dose_number=parse_positive(row["dose_number"], "dose_number"),
        series_total=parse_positive(total, "series_total") if total else found.primary_doses,
        date=parse_date(require(row["date"], "date"), "date"), site=row["site"].strip(),
        lot=row["lot"].strip())
    return Item(line, pid, vaccination=record)


def residents_csv(path: Path, pseudonym_key: bytes) -> CsvSource:
    """Return the source of a residents CSV."""
    return CsvSource(path, RESIDENT_COLUMNS, _resident, pseudonym_key)


def vaccinations_csv(path: Path, pseudonym_key: bytes) -> CsvSource:
    """Return the source of a vaccinations CSV."""
    return CsvSource(path, VACCINATION_COLUMNS, _vaccination, pseudonym_key)
