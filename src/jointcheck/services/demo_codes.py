"""Printed sample codes for the demo: people of the demo district to check at its venue.

Each run of the demo signs, for a few residents picked from the district (fully vaccinated,
unvaccinated, under the eligible age, holding a contraindication certificate) and one forged
code, the codes each would show at the door: a health code valid for a day (as a printed code
for a person without a smartphone is) and the certificate where the registry has one. They are
written as PNG images and text beside the database, with the outcome the demo venue's policy
gives, so the scanner page can be tried with a phone camera, a scanner or by pasting the text.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jointcheck.credentials.base45 import b45decode, b45encode
from jointcheck.credentials.model import CodeColor
from jointcheck.credentials.qr import render_png
from jointcheck.registry.people import Contraindication, Resident, VaccinationRecord
from jointcheck.rules.decision import decide
from jointcheck.rules.policy import PolicyPack
from jointcheck.services.demo_district import DemoDistrict
from jointcheck.services.issuance import exemption_of, health_code_of, vaccination_of
from jointcheck.trust.issuer import MAX_HEALTH_CODE_TTL, Issuer
from jointcheck.trust.store import TrustStore
from jointcheck.trust.verify import verify

ADULT_AGES = range(18, 60)


@dataclass(frozen=True)
class SampleCode:
    """One person's codes to show at the door, and what the demo venue decides."""

    slug: str
    who: str
    texts: tuple[str, ...]
    outcome: str
    reason: str


def write_sample_codes(folder: Path, district: DemoDistrict, issuer: Issuer, trust: TrustStore,
                       pack: PolicyPack, category: str, now: datetime) -> list[SampleCode]:
    """Sign the sample people's codes, decide each at a venue of ``category``, write files."""
    samples = [_sample(slug, who, resident, doses, exemptions, issuer, now)
               for slug, who, resident, doses, exemptions in _people(district, pack, now)]
    samples.append(SampleCode("forged", "a health code whose signature was tampered with",
                              (_tampered(samples[0].texts[0]),), "", ""))
    decided = []
    for sample in samples:
        verifications = [verify(text, trust, now) for text in sample.texts]
        decision = decide(pack, verifications, category, now)
        decided.append(SampleCode(sample.slug, sample.who, sample.texts,
                                  decision.outcome.value, decision.reason.en))
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    until = (now + MAX_HEALTH_CODE_TTL).isoformat(timespec="minutes")
    lines = [f"Sample codes, valid until {until} (policy {pack.id}, at a {category}):", ""]
    for number, sample in enumerate(decided, start=1):
        lines.append(f"{number}. {sample.who}: {sample.outcome} ({sample.reason})")
        for index, text in enumerate(sample.texts, start=1):
            name = f"{number}-{sample.slug}-{index}.png"
            (folder / name).write_bytes(render_png(text))
            lines.append(f"   {name}: {text}")
        lines.append("")
    (folder / "codes.txt").write_text("\n".join(lines), "utf-8")
    return decided


def _people(district: DemoDistrict, pack: PolicyPack, now: datetime) -> Iterable[
        tuple[str, str, Resident, list[VaccinationRecord], list[Contraindication]]]:
    today = now.astimezone(pack.timezone).date()
    doses: dict[str, list[VaccinationRecord]] = {}
    for record in district.vaccinations:
        doses.setdefault(record.pid, []).append(record)
    exempt = {c.pid: c for c in district.contraindications
              if c.valid_from <= today <= c.valid_until}
    residents = [entry.resident for entry in district.residents]

    def age(resident: Resident) -> int:
        born = resident.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    wanted: tuple[tuple[str, str, Callable[[Resident], bool]], ...] = (
        ("vaccinated", "an adult with a complete primary series",
         lambda r: age(r) in ADULT_AGES and len(doses.get(r.pid, ())) >= 2
         and r.pid not in exempt),
        ("unvaccinated", "an adult with no dose",
         lambda r: age(r) in ADULT_AGES and r.pid not in doses and r.pid not in exempt),
        ("child", f"a child under {pack.eligible_from}",
         lambda r: age(r) < pack.eligible_from - 1),
        ("exempt", "a person with a contraindication certificate",
         lambda r: r.pid in exempt and r.pid not in doses),
    )
    for slug, who, fits in wanted:
        found = next((r for r in residents if fits(r)), None)
        if found is not None:
            yield (slug, who, found, sorted(doses.get(found.pid, []), key=lambda d: d.date),
                   [exempt[found.pid]] if found.pid in exempt else [])


def _tampered(text: str) -> str:
    """Return ``text`` with one bit of its signature flipped: well-formed, but forged."""
    prefix, _, body = text.partition(":")
    signed = bytearray(zlib.decompress(b45decode(body)))
    signed[-1] ^= 1  # the COSE_Sign1 structure ends with the signature
    return f"{prefix}:{b45encode(zlib.compress(bytes(signed), 9))}"


def _sample(slug: str, who: str, resident: Resident, doses: list[VaccinationRecord],
            exemptions: list[Contraindication], issuer: Issuer, now: datetime) -> SampleCode:
    texts = [health_code_of(issuer, resident, CodeColor.GREEN, now, MAX_HEALTH_CODE_TTL).text]
    if doses:
        texts.append(vaccination_of(issuer, resident, doses[-1], now).text)
    texts += [exemption_of(issuer, resident, found, now).text for found in exemptions]
    return SampleCode(slug, who, tuple(texts), "", "")
