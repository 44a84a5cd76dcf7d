"""FHIR R4 sources of the registry import: Patient and Immunization resources.

The file is a Bundle (JSON, any ``type``; rows are numbered by entry, from 1) or NDJSON (one
resource per line; rows are numbered by line). It is read with the standard ``json`` module
and checked here, field by field, for what the registry needs.

Patient:
- the national id number is the ``identifier`` whose ``type`` has the code ``NI`` (HL7 v2
  table 0203, "national unique individual identifier"), else the first identifier with a value;
- name: ``name[0].text``, else ``family`` then ``given`` (family first, as the DCC writes it);
- ``gender``, ``birthDate`` (a full date), the first ``telecom`` of system ``phone``,
  ``address[0].text`` (else its lines, district and city joined);
- the area: an extension ``urn:jointcheck:fhir:area`` (``valueCode`` or ``valueString``, the
  area code such as ``fz.s01.c02.g03``) on the Patient or on its first address. A postal
  address is too loose to place a person in a grid, so the area is never guessed from it.

Immunization (``status`` absent or ``completed``; ``not-done`` and ``entered-in-error`` are
rejected: a dose not given must never count):
- ``vaccineCode``: the coding of the DCC value-set systems (``EU_REGISTER``,
  ``TEMP_NAMES``), else a coding without a system;
- ``occurrenceDateTime``: a date, or a date and time whose day is taken in the district's time
  zone; ``protocolApplied[0].doseNumberPositiveInt`` (or ``doseNumberString``) and
  ``seriesDosesPositiveInt`` (absent: the product's primary series); ``lotNumber``;
  ``location.display``, else the first ``performer[].actor.display``, as the site;
- ``patient``: a reference to a Patient of the same file (``Patient/<id>`` or the entry's
  ``fullUrl``), or a logical reference by ``identifier`` (the national id number) to a
  resident already in the registry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jointcheck.errors import RegistryError
from jointcheck.registry.fields import parse_date, require
from jointcheck.registry.people import Resident, VaccinationRecord, parse_sex
from jointcheck.registry.products import EU_REGISTER, TEMP_NAMES, product
from jointcheck.security.pseudonym import normalise_id_number
from jointcheck.services.import_engine import Item, ResidentEntry
from jointcheck.services.registry_csv import pid_of

AREA_EXTENSION = "urn:jointcheck:fhir:area"
PATIENT, IMMUNIZATION = "Patient", "Immunization"
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")

Resource = dict[str, Any]
Entry = tuple[int, Resource | RegistryError, str | None]


def _bad(message: str) -> RegistryError:
    return RegistryError("bad-resource", message)


def read_entries(text: str) -> Iterator[Entry]:
    """Yield (row number, resource or error, fullUrl) from a Bundle or NDJSON text."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as whole_error:
        first = next((n for n, line in enumerate(text.splitlines(), 1) if line.strip()), 1)
        lines = text.splitlines()
        if not lines or not _is_json(lines[first - 1]):
            yield whole_error.lineno, RegistryError("bad-json", f"not JSON: {whole_error.msg}"), \
                None
            return
        yield from _ndjson(lines)
        return
    if isinstance(document, dict) and document.get("resourceType") == "Bundle":
        entries = document.get("entry", [])
        if not isinstance(entries, list):
            yield 1, _bad("Bundle.entry is not a list"), None
            return
        for index, entry in enumerate(entries, 1):
            if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
                yield index, _bad(f"entry {index} holds no resource"), None
                continue
            full_url = entry.get("fullUrl")
            yield index, entry["resource"], full_url if isinstance(full_url, str) else None
    elif isinstance(document, dict):
        yield 1, document, None
    else:
        yield 1, _bad("the file is neither a FHIR resource, a Bundle nor NDJSON"), None


def _is_json(line: str) -> bool:
    try:
        json.loads(line)
    except json.JSONDecodeError:
        return False
    return True


def _ndjson(lines: list[str]) -> Iterator[Entry]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            resource = json.loads(line)
        except json.JSONDecodeError as error:
            yield number, RegistryError("bad-json", f"not JSON: {error.msg}"), None
            continue
        if not isinstance(resource, dict):
            yield number, _bad("the line is not a FHIR resource (a JSON object)"), None
            continue
        yield number, resource, None


class FhirSource:
    """A FHIR file; ``types`` are the resource types written (others of the two are skipped)."""

    def __init__(self, path: Path, pseudonym_key: bytes, timezone: ZoneInfo,
                 types: frozenset[str] = frozenset({PATIENT, IMMUNIZATION})) -> None:
        self.path = path
        self.key = pseudonym_key
        self.timezone = timezone
        self.types = types
        self._references: dict[str, str] | None = None

    def _entries(self) -> Iterator[Entry]:
        try:
            text = self.path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            yield 1, RegistryError("bad-json", "the file is not UTF-8 text"), None
            return
        yield from read_entries(text)

    def references(self) -> dict[str, str]:
        """Return the pid of each Patient, by ``Patient/<id>`` and by ``fullUrl``."""
        if self._references is None:
            found: dict[str, str] = {}
            for _, resource, full_url in self._entries():
                if isinstance(resource, dict) and resource.get("resourceType") == PATIENT:
                    try:
                        pid = pid_of(national_id(resource), self.key)
                    except RegistryError:
                        continue
                    if isinstance(resource.get("id"), str):
                        found[f"Patient/{resource['id']}"] = pid
                    if full_url:
                        found[full_url] = pid
            self._references = found
        return self._references

    def items(self) -> Iterator[Item]:
        references = self.references()
        for line, resource, _ in self._entries():
            if isinstance(resource, RegistryError):
                yield Item(line, None, error=resource)
                continue
            kind = resource.get("resourceType")
            if kind not in (PATIENT, IMMUNIZATION):
                yield Item(line, None, error=_bad(f"resourceType {kind!r} is not imported "
                                                  "(Patient and Immunization are)"))
            elif kind in self.types:
                yield (self._patient(resource, line) if kind == PATIENT
                       else self._immunization(resource, line, references))

    def _patient(self, resource: Resource, line: int) -> Item:
        try:
            number = national_id(resource)
            pid = pid_of(number, self.key)
        except RegistryError as error:
            return Item(line, None, error=error)
        try:
            resident = Resident(
                pid=pid, name=_name(resource), sex=parse_sex(_text(resource, "gender")),
                birth_date=parse_date(_text(resource, "birthDate"), "birthDate"),
                phone=_phone(resource), address=_address(resource), area=_area(resource))
        except RegistryError as error:
            return Item(line, pid, error=error)
        return Item(line, pid, resident=ResidentEntry(resident, normalise_id_number(number)),
                    source_id=_optional(resource, "id"))

    def _immunization(self, resource: Resource, line: int, references: dict[str, str]) -> Item:
        try:
            pid = _patient_pid(resource.get("patient"), references, self.key)
        except RegistryError as error:
            return Item(line, None, error=error)
        try:
            record = self._record(resource, pid)
        except RegistryError as error:
            return Item(line, pid, error=error)
        return Item(line, pid, vaccination=record, source_id=_optional(resource, "id"))

    def _record(self, resource: Resource, pid: str) -> VaccinationRecord:
        status = resource.get("status", "completed")
        if status != "completed":
            raise _bad(f"Immunization status {status!r} is not completed")
        found = product(_vaccine_code(resource.get("vaccineCode")))
        protocol = resource.get("protocolApplied") or [{}]
        applied = protocol[0] if isinstance(protocol, list) and protocol else {}
        if not isinstance(applied, dict):
            raise _bad("protocolApplied is malformed")
        series = _positive(applied, "seriesDoses")
        return VaccinationRecord(
            pid=pid, product=found.code, dose_number=_positive(applied, "doseNumber") or 0,
            series_total=series or found.primary_doses,
            date=self._occurrence(resource.get("occurrenceDateTime")),
            site=_site(resource), lot=_optional(resource, "lotNumber") or "")

    def _occurrence(self, value: object) -> date:
        if not isinstance(value, str):
            raise RegistryError("bad-date", "Immunization has no occurrenceDateTime")
        if DATE_TIME.match(value):
            instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return instant.astimezone(self.timezone).date()
        return parse_date(value, "occurrenceDateTime")


def national_id(resource: Resource) -> str:
    """Return the national id number of a Patient (the ``NI`` identifier, else the first)."""
    identifiers = [i for i in resource.get("identifier") or [] if isinstance(i, dict)
                   and isinstance(i.get("value"), str) and i["value"].strip()]
    for identifier in identifiers:
        codings = (identifier.get("type") or {}).get("coding") or []
        if any(isinstance(c, dict) and c.get("code") == "NI" for c in codings):
            return str(identifier["value"])
    if not identifiers:
        raise RegistryError("missing-field", "the Patient has no identifier (national id)")
    return str(identifiers[0]["value"])


def _text(resource: Resource, key: str) -> str:
    value = resource.get(key)
    if not isinstance(value, str):
        raise RegistryError("missing-field", f"{resource.get('resourceType')}.{key} is missing")
    return value


def _optional(resource: Resource, key: str) -> str | None:
    value = resource.get(key)
    return value.strip() if isinstance(value, str) else None


def _name(resource: Resource) -> str:
    names = [n for n in resource.get("name") or [] if isinstance(n, dict)]
    if not names:
        raise RegistryError("missing-field", "Patient.name is missing")
    if isinstance(names[0].get("text"), str) and names[0]["text"].strip():
        return str(names[0]["text"]).strip()
    given = [g for g in names[0].get("given") or [] if isinstance(g, str)]
    return require(" ".join([str(names[0].get("family") or ""), *given]), "Patient.name")


def _phone(resource: Resource) -> str:
    for telecom in resource.get("telecom") or []:
        if isinstance(telecom, dict) and telecom.get("system") == "phone":
            return str(telecom.get("value") or "").strip()
    return ""


def _address(resource: Resource) -> str:
    addresses = [a for a in resource.get("address") or [] if isinstance(a, dict)]
    if not addresses:
        return ""
    first = addresses[0]
    if isinstance(first.get("text"), str):
        return str(first["text"]).strip()
    parts = [*(first.get("line") or []), first.get("district"), first.get("city")]
    return ", ".join(str(p) for p in parts if isinstance(p, str) and p)


def _area(resource: Resource) -> str:
    addresses = [a for a in resource.get("address") or [] if isinstance(a, dict)]
    holders = [resource, *addresses[:1]]
    for holder in holders:
        for extension in holder.get("extension") or []:
            if isinstance(extension, dict) and extension.get("url") == AREA_EXTENSION:
                value = extension.get("valueCode") or extension.get("valueString")
                if isinstance(value, str) and value.strip():
                    return value.strip().lower()
    raise RegistryError("missing-field", f"the Patient has no area (extension {AREA_EXTENSION})")


def _patient_pid(reference: object, references: dict[str, str], key: bytes) -> str:
    if not isinstance(reference, dict):
        raise RegistryError("unknown-person", "the Immunization names no patient")
    target = reference.get("reference")
    if isinstance(target, str):
        pid = references.get(target)
        if pid is None and "Patient/" in target:
            pid = references.get("Patient/" + target.rsplit("Patient/", 1)[1])
        if pid is None:
            raise RegistryError("unknown-person", f"patient {target!r} is not a Patient "
                                "of this file")
        return pid
    identifier = reference.get("identifier")
    if isinstance(identifier, dict) and isinstance(identifier.get("value"), str):
        return pid_of(identifier["value"], key)
    raise RegistryError("unknown-person", "the Immunization's patient has no reference")


def _vaccine_code(concept: object) -> str:
    codings = [c for c in (concept or {}).get("coding") or [] if isinstance(c, dict)] \
        if isinstance(concept, dict) else []
    for wanted in (EU_REGISTER, TEMP_NAMES, None):
        for coding in codings:
            if coding.get("system") == wanted and isinstance(coding.get("code"), str):
                return str(coding["code"])
    shown = ", ".join(f"{c.get('system')}|{c.get('code')}" for c in codings) or "none"
    raise RegistryError("unknown-product", f"no vaccine coding of the DCC value set ({shown})")


def _positive(applied: dict[str, Any], name: str) -> int | None:
    value = applied.get(f"{name}PositiveInt", applied.get(f"{name}String"))
    if value is None:
        if name == "doseNumber":
            raise RegistryError("missing-field", "protocolApplied.doseNumber is missing")
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise RegistryError("bad-dose", f"protocolApplied.{name} {value!r} is not a positive "
                            "whole number")
    return value


def _site(resource: Resource) -> str:
    location = resource.get("location")
    if isinstance(location, dict) and isinstance(location.get("display"), str):
        return str(location["display"]).strip()
    for performer in resource.get("performer") or []:
        actor = performer.get("actor") if isinstance(performer, dict) else None
        if isinstance(actor, dict) and isinstance(actor.get("display"), str):
            return str(actor["display"]).strip()
    return ""
