"""Read the FHIR bundle of a SMART Health Card into a holder and statements.

What is read: the Patient (name, birth date), each Immunization (``vaccineCode``, ``status``,
``occurrenceDateTime``, ``lotNumber``, ``performer``) and, where a card has no Immunization,
each Observation (a laboratory result). Other resources (DiagnosticReport, Specimen...) are
left in the payload untouched.

Mapping choices:
- ``product`` and ``test_type`` are ``system|code`` of the first coding (e.g.
  ``http://hl7.org/fhir/sid/cvx|207``), so that a CVX code and a SNOMED code never collide;
  the code alone where the coding names no system. ``vaccine`` (the DCC's vaccine type) stays
  empty: a CVX code names a product, not a type;
- ``disease`` is the SNOMED code of COVID-19 (``840539006``, as the DCC uses) for the COVID-19
  vaccine and test codes listed below, and empty otherwise;
- ``dose`` is the 1-based position of the dose in date order among doses against the same
  disease (or of the same product where the disease is unknown); ``series`` is 0 (unknown);
- an entry's ``issuer`` is the performer that gave the dose or ran the test, else ``iss``;
- a card without a Patient (the spec's lab-panel example) names nobody: its subject is empty
  and can never match an identity document.

Refused (``PayloadError``): a bundle that is not a Bundle of resources, more than one Patient
(whose card would it be?), an Immunization not ``completed`` (a dose not given must never
count), no vaccine coding, no occurrence, an Observation not final, malformed dates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from jointcheck.credentials.model import (
    COVID_19,
    CredentialType,
    Entry,
    Subject,
    TestEntry,
    VaccinationEntry,
    standardise_name,
)
from jointcheck.errors import PayloadError

CVX = "http://hl7.org/fhir/sid/cvx"
SNOMED = "http://snomed.info/sct"
ICD11 = "http://id.who.int/icd11/mms"
LOINC = "http://loinc.org"
# CDC CVX codes of COVID-19 vaccines (US products and 500-519 for products used abroad).
_COVID_CVX = frozenset({
    "207", "208", "210", "211", "212", "213", "217", "218", "219", "221", "225", "226", "227",
    "228", "229", "230", "300", "301", "302", "309", "310", "311", "312", "313",
    *(str(n) for n in range(500, 520)),
})
_COVID_VACCINE = {CVX: _COVID_CVX, SNOMED: frozenset({"28531000087107"}),
                  ICD11: frozenset({"XM68M6", "XM0GQ8", "XM9QW8", "XM1NL1", "XM5JC5", "XM1J92"})}
# LOINC SARS-CoV-2 test codes (the value set the SMART Health Cards dev tools use).
_COVID_LOINC = frozenset({
    "50548-7", "68993-5", "82159-5", "94306-8", "94307-6", "94308-4", "94309-2", "94500-6",
    "94502-2", "94503-0", "94504-8", "94507-1", "94508-9", "94531-1", "94533-7", "94534-5",
    "94547-7", "94558-4", "94559-2", "94562-6", "94563-4", "94564-2", "94565-9", "94640-0",
    "94661-6", "94756-4", "94757-2", "94758-0", "94759-8", "94760-6", "94761-4", "94762-2",
    "94764-8", "94845-5", "95209-3", "95406-5", "95409-9", "95416-4", "95423-0", "95424-8",
    "95425-5", "95542-7", "95608-6", "95609-4",
})
_FINAL = frozenset({"final", "amended", "corrected"})
_FHIR_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_FHIR_DATETIME = re.compile(
    r"\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?)?)?"
)

Resource = Mapping[str, Any]


def read_bundle(
    bundle: Mapping[str, Any], issuer: str, certificate_id: str
) -> tuple[CredentialType, Subject, tuple[Entry, ...]]:
    """Return the credential type, the holder and the statements of a FHIR bundle."""
    by_type = _resources(bundle)
    patients = by_type.get("Patient", [])
    if len(patients) > 1:
        raise PayloadError("fhir-patient-ambiguous", "the bundle names more than one Patient")
    subject = _subject(patients[0]) if patients else Subject("", "", "", "", "")
    if by_type.get("Immunization"):
        doses = [_vaccination(r, issuer, certificate_id) for r in by_type["Immunization"]]
        return CredentialType.VACCINATION, subject, _numbered(doses)
    if by_type.get("Observation"):
        tests = [_test(r, issuer, certificate_id) for r in by_type["Observation"]]
        return CredentialType.TEST, subject, tuple(tests)
    raise PayloadError("fhir-no-statement", "the bundle has no Immunization or Observation")


def _resources(bundle: Mapping[str, Any]) -> dict[str, list[Resource]]:
    if bundle.get("resourceType") != "Bundle":
        raise PayloadError("fhir-bundle-invalid", "fhirBundle is not a FHIR Bundle")
    entries = bundle.get("entry")
    if not isinstance(entries, list) or not entries:
        raise PayloadError("fhir-bundle-invalid", "the bundle has no entries")
    out: dict[str, list[Resource]] = {}
    for item in entries:
        resource = item.get("resource") if isinstance(item, dict) else None
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        if not isinstance(resource, dict) or not isinstance(kind, str):
            raise PayloadError("fhir-bundle-invalid", "a bundle entry has no resource")
        out.setdefault(kind, []).append(resource)
    return out


def _subject(patient: Resource) -> Subject:
    names = patient.get("name", [])
    name = names[0] if isinstance(names, list) and names else {}
    if not isinstance(names, list) or not isinstance(name, dict):
        raise PayloadError("fhir-patient-invalid", "the Patient's name is malformed")
    family = name.get("family", "")
    given = name.get("given", [])
    if not isinstance(family, str) or not isinstance(given, list) or not all(
        isinstance(g, str) for g in given
    ):
        raise PayloadError("fhir-patient-invalid", "the Patient's name is malformed")
    birth = patient.get("birthDate", "")
    if birth and (not isinstance(birth, str) or not _FHIR_DATE.fullmatch(birth)):
        raise PayloadError("fhir-patient-invalid", f"birthDate {birth!r} is not a FHIR date")
    given_name = " ".join(given)
    return Subject(
        family_name=family,
        given_name=given_name,
        family_std=standardise_name(family),
        given_std=standardise_name(given_name),
        birth_date=birth,
    )


def _vaccination(resource: Resource, issuer: str, certificate_id: str) -> VaccinationEntry:
    if resource.get("status") != "completed":
        raise PayloadError(
            "fhir-immunization-status",
            f"an Immunization has status {resource.get('status')!r}, not 'completed'",
        )
    system, code = _first_coding(resource.get("vaccineCode"), "fhir-vaccine-code-missing")
    when = resource.get("occurrenceDateTime")
    if when is None and not isinstance(resource.get("occurrenceString"), str):
        raise PayloadError("fhir-occurrence-missing", "an Immunization has no occurrence date")
    return VaccinationEntry(
        disease=COVID_19 if code in _COVID_VACCINE.get(system, ()) else "",
        product=f"{system}|{code}" if system else code,
        vaccine="",
        manufacturer=_display(resource.get("manufacturer")),
        dose=0,
        series=0,
        date=_date_of(when),
        country="",
        issuer=_performer(resource) or issuer,
        certificate_id=certificate_id,
    )


def _date_of(value: Any) -> date | None:
    instant = _datetime(value) if value is not None else None
    # The calendar day as written: 2021-01-01T23:30:00-05:00 was given on 1 January.
    return date.fromisoformat(value[:10]) if instant is not None else None


def _numbered(doses: list[VaccinationEntry]) -> tuple[VaccinationEntry, ...]:
    ordered = sorted(doses, key=lambda d: (d.date is None, d.date or date.min))
    seen: dict[str, int] = {}
    out = []
    for dose in ordered:
        key = dose.disease or dose.product
        seen[key] = seen.get(key, 0) + 1
        out.append(_replace_dose(dose, seen[key]))
    return tuple(out)


def _replace_dose(dose: VaccinationEntry, number: int) -> VaccinationEntry:
    return VaccinationEntry(
        dose.disease, dose.product, dose.vaccine, dose.manufacturer, number, dose.series,
        dose.date, dose.country, dose.issuer, dose.certificate_id,
    )


def _test(resource: Resource, issuer: str, certificate_id: str) -> TestEntry:
    if resource.get("status") not in _FINAL:
        raise PayloadError(
            "fhir-observation-status",
            f"an Observation has status {resource.get('status')!r}, not final",
        )
    system, code = _first_coding(resource.get("code"), "fhir-observation-code-missing")
    when = resource.get("effectiveDateTime")
    return TestEntry(
        disease=COVID_19 if system == LOINC and code in _COVID_LOINC else "",
        test_type=f"{system}|{code}" if system else code,
        sampled_at=_datetime(when) if when is not None else None,
        result=_value(resource),
        country="",
        issuer=_performer(resource) or issuer,
        certificate_id=certificate_id,
    )


def _first_coding(concept: Any, code_name: str) -> tuple[str, str]:
    codings = concept.get("coding") if isinstance(concept, dict) else None
    first = codings[0] if isinstance(codings, list) and codings else None
    code = first.get("code") if isinstance(first, dict) else None
    if not isinstance(code, str) or not code:
        raise PayloadError(code_name, "a coded element has no coding")
    system = first.get("system", "") if isinstance(first, dict) else ""
    return (system if isinstance(system, str) else ""), code


def _value(resource: Resource) -> str:
    concept = resource.get("valueCodeableConcept")
    if isinstance(concept, dict):
        system, code = _first_coding(concept, "fhir-observation-value-invalid")
        return f"{system}|{code}" if system else code
    quantity = resource.get("valueQuantity")
    if isinstance(quantity, dict) and "value" in quantity:
        return f"{quantity['value']} {quantity.get('unit', '')}".strip()
    text = resource.get("valueString")
    return text if isinstance(text, str) else ""


def _performer(resource: Resource) -> str:
    performers = resource.get("performer")
    first = performers[0] if isinstance(performers, list) and performers else None
    if not isinstance(first, dict):
        return ""
    # Immunization.performer wraps the reference in "actor"; Observation.performer is one.
    return _display(first.get("actor", first))


def _display(reference: Any) -> str:
    if not isinstance(reference, dict):
        return ""
    text = reference.get("display") or reference.get("reference") or ""
    return text if isinstance(text, str) else ""


def _datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not _FHIR_DATETIME.fullmatch(value):
        raise PayloadError("fhir-date-invalid", f"{value!r} is not a FHIR dateTime")
    if len(value) < 10:
        # A year or a month alone gives no day to count from: the date stays unknown rather
        # than a guessed first day that would make a dose look older than it is.
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise PayloadError("fhir-date-invalid", f"{value!r} is not a real date") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
