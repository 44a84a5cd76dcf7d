"""Plain values for decoded credentials: who holds it, what it states, and what was signed.

A codec turns QR text into a :class:`SignedEnvelope`: the decoded :class:`Credential` plus the
exact bytes the signature covers. Nothing here is trusted yet; :mod:`jointcheck.trust` decides
that. All instants are timezone-aware UTC.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from pypinyin import lazy_pinyin

COVID_19 = "840539006"
"""SNOMED CT code of COVID-19: the disease the DCC and SMART Health Cards name (``tg``)."""

_T = TypeVar("_T")


def slot_init(cls: type[_T]) -> type[_T]:
    """Give a frozen, slotted dataclass an ``__init__`` that stores each field through its slot.

    The ``__init__`` that dataclasses writes for a frozen class calls ``object.__setattr__``
    once per field; storing through each slot's descriptor does the same for about half the
    cost, which counts for the values built on every verification. The signature, the defaults
    and the immutability of the built value stay as the dataclass made them.
    """
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has a __post_init__, which this __init__ would skip")
    scope: dict[str, Any] = {"_MISSING": MISSING}
    params: list[str] = []
    lines: list[str] = []
    for item in fields(cls):  # type: ignore[arg-type]
        if not item.init or item.kw_only:
            raise TypeError(f"{cls.__name__}.{item.name} is not a plain positional field")
        name = item.name
        scope[f"_set_{name}"] = cls.__dict__[name].__set__
        if item.default is not MISSING:
            scope[f"_default_{name}"] = item.default
            params.append(f"{name}=_default_{name}")
        elif item.default_factory is not MISSING:
            scope[f"_factory_{name}"] = item.default_factory
            params.append(f"{name}=_MISSING")
            lines.append(f"    if {name} is _MISSING:\n        {name} = _factory_{name}()")
        else:
            params.append(name)
        lines.append(f"    _set_{name}(self, {name})")
    exec(f"def __init__(self, {', '.join(params)}):\n" + "\n".join(lines), scope)
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    setattr(cls, "__init__", init)  # noqa: B010 (mypy refuses assigning a method)
    return cls


class CredentialType(StrEnum):
    """What a credential states."""

    VACCINATION = "vaccination"
    TEST = "test"
    RECOVERY = "recovery"
    EXEMPTION = "exemption"
    HEALTH_CODE = "health-code"


class CodeColor(StrEnum):
    """The colour of a health code."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


@slot_init
@dataclass(frozen=True, slots=True)
class Subject:
    """The holder as a credential names them: enough to match an identity document."""

    family_name: str
    given_name: str
    family_std: str
    given_std: str
    birth_date: str
    pid: str | None = None

    @property
    def display_name(self) -> str:
        """Return the name for display: family name then given name (together in Chinese)."""
        family, given = self.family_name, self.given_name
        if family and given:
            together = _is_cjk(family[-1]) and _is_cjk(given[0])
            return family + given if together else f"{family} {given}"
        return family or given or (
            " ".join(p for p in (self.family_std, self.given_std) if p).replace("<", " ")
        )

    @property
    def birth_year(self) -> str:
        """Return the year of birth only (what a checkpoint shows)."""
        return self.birth_date[:4]


@slot_init
@dataclass(frozen=True, slots=True)
class VaccinationEntry:
    """One vaccination statement (the DCC's ``v`` entry, or a FHIR Immunization)."""

    disease: str
    product: str
    vaccine: str
    manufacturer: str
    dose: int
    series: int
    date: date | None
    country: str
    issuer: str
    certificate_id: str


@slot_init
@dataclass(frozen=True, slots=True)
class TestEntry:
    """One test statement (the DCC's ``t`` entry)."""

    disease: str
    test_type: str
    sampled_at: datetime | None
    result: str
    country: str
    issuer: str
    certificate_id: str


@slot_init
@dataclass(frozen=True, slots=True)
class RecoveryEntry:
    """One recovery statement (the DCC's ``r`` entry)."""

    disease: str
    first_positive: date | None
    valid_from: date | None
    valid_until: date | None
    country: str
    issuer: str
    certificate_id: str


@slot_init
@dataclass(frozen=True, slots=True)
class ExemptionEntry:
    """A contraindication certificate: who issued it, at what level, why (a category), when."""

    disease: str
    institution: str
    institution_level: int
    reason_category: str
    valid_from: date
    valid_until: date
    country: str
    certificate_id: str


@slot_init
@dataclass(frozen=True, slots=True)
class HealthCodeEntry:
    """A health code: a colour for a pseudonymous holder, valid for minutes to a day."""

    color: CodeColor
    code_id: str


Entry = VaccinationEntry | TestEntry | RecoveryEntry | ExemptionEntry | HealthCodeEntry


@slot_init
@dataclass(frozen=True, slots=True)
class Credential:
    """A decoded credential: its format, type, holder, statements and validity window.

    ``payload`` is the decoded statement as the wire carried it (CBOR may hold dates or byte
    strings); :func:`jointcheck.credentials.cwt.jsonable` turns it into JSON at the output
    edge, so the check at the door does not pay for a conversion nobody reads.
    """

    format: str
    type: CredentialType
    subject: Subject
    entries: tuple[Entry, ...]
    issuer: str | None
    issued_at: datetime | None
    expires_at: datetime | None
    not_before: datetime | None = None
    certificate_id: str | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)


@slot_init
@dataclass(frozen=True, slots=True)
class SignedEnvelope:
    """A decoded but not yet trusted credential and what its signature covers.

    ``signed`` is the exact byte string the signature is over (a COSE Sig_structure or the JWS
    signing input); ``signature`` is as it travels (raw r||s for ECDSA). ``kid`` may be empty
    where the format has none; ``key_issuer`` names the issuer a key must belong to (SMART
    Health Cards' ``iss``), or ``None`` where the kid alone selects keys.
    """

    credential: Credential
    algorithm: str
    kid: bytes
    signed: bytes
    signature: bytes
    key_issuer: str | None = None


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff"


def standardise_name(name: str) -> str:
    """Return a name in the ICAO 9303 machine-readable form the DCC uses (``fnt``/``gnt``).

    Chinese characters become pinyin written together, as on a Chinese passport (ü as YU).
    """
    if any(_is_cjk(c) for c in name):
        name = "".join(lazy_pinyin(name, v_to_u=True)).replace("ü", "yu")
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c)).upper()
    out = []
    for c in letters:
        if "A" <= c <= "Z":
            out.append(c)
        elif c.isspace() or c in "-'’.,":
            out.append("<")
    text = "".join(out)
    while "<<" in text:
        text = text.replace("<<", "<")
    return text.strip("<")[:80]


def same_holder(a: Subject, b: Subject) -> bool:
    """Tell whether two credentials name the same person.

    The pseudonymous id decides when both carry one; otherwise the standardised names and the
    birth date must agree (as EU verifiers match a DCC with an identity document). A partial
    birth date (a year only) matches a full date of that year.
    """
    if a.pid and b.pid:
        return a.pid == b.pid
    if not _dates_agree(a.birth_date, b.birth_date):
        return False
    return _names_agree(a, b)


def _dates_agree(x: str, y: str) -> bool:
    n = min(len(x), len(y))
    return n >= 4 and x[:n] == y[:n]


def _names_agree(a: Subject, b: Subject) -> bool:
    fa = a.family_std or standardise_name(a.family_name)
    fb = b.family_std or standardise_name(b.family_name)
    if fa and fb:
        ga = a.given_std or standardise_name(a.given_name)
        gb = b.given_std or standardise_name(b.given_name)
        return fa == fb and (not ga or not gb or ga == gb)
    return bool(a.family_name) and a.family_name == b.family_name and a.given_name == b.given_name
