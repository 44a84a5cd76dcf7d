"""Benchmark: issue health codes through the real API over HTTP, beside the raw signing rate.

For each database (a temporary SQLite file; a temporary PostgreSQL database, created and
dropped) it migrates the schema, imports a few hundred synthetic residents, creates a health
authority user with an API token and a temporary key store, and starts the real app under
uvicorn on a free localhost port in a background thread. A client (``httpx``, one keep-alive
connection) then asks for health codes, one resident after another; with ``clients`` above 1,
that many clients, each on its own thread and connection, do the same at once.

The reference, in the same run: ES256 signatures with the same health-code signer key over a
Sig_structure of the size the API signs (``jointcheck.trust.signatures.sign`` alone), and,
to show where the rest goes, the rendering of the same code's QR as the PNG the API returns
(``jointcheck.credentials.qr.render_png``). Rounds
are interleaved so that a busy machine slows both alike; the median round is reported. The
ratio is API codes per second over raw signatures per second: what is left of the signing rate
once a request has been authenticated, the resident read and decrypted, the code signed,
recorded and audited in one transaction, the QR rendered as a PNG and the answer sent. Client
and server share one Python process, so they also share its interpreter lock.
"""

from __future__ import annotations

import base64
import os
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy.engine import URL

from jointcheck.api.app import create_app
from jointcheck.bench.import_ import DOSES, TIMEZONE, write_files
from jointcheck.bench.scaffold import on_each_database, serving
from jointcheck.config import RegistryKeys, Settings
from jointcheck.credentials.model import CredentialType
from jointcheck.credentials.qr import render_png
from jointcheck.credentials.registry import decode
from jointcheck.keystore import init_keystore
from jointcheck.security.fieldcrypt import FieldCipher
from jointcheck.security.pseudonym import pseudonymise
from jointcheck.services import tokens, users
from jointcheck.services.registry_import import import_areas, import_residents
from jointcheck.storage.db import make_engine, make_sessions, unit_of_work
from jointcheck.storage.migrations import migrate
from jointcheck.trust.issuer import IssuerProfile, Signer
from jointcheck.trust.signatures import sign

PASSPHRASE = b"bench-passphrase"
RAW_SECONDS = 0.5
ROUNDS = 3


@dataclass(frozen=True)
class District:
    """What the benchmark set up: the settings the app runs with, who issues, for whom."""

    settings: Settings
    token: str
    pids: list[str]
    signer: Signer


def _b64(raw: bytes) -> SecretStr:
    return SecretStr(base64.b64encode(raw).decode())


def set_up(url: URL, folder: Path, residents: int) -> District:
    """Migrate ``url``, import ``residents`` people, make a key store, a user and its token."""
    at = datetime.now(UTC)
    field_key = os.urandom(32)
    keys = RegistryKeys(os.urandom(32), FieldCipher({1: field_key}, 1))
    store = init_keystore(folder / "keystore", PASSPHRASE, at, IssuerProfile())
    areas, people, _ = write_files(folder, residents * DOSES)
    migrate(url)
    engine = make_engine(url)
    try:
        with unit_of_work(make_sessions(engine)) as session:
            import_areas(session, areas)
            report = import_residents(session, people, keys, at, TIMEZONE)
            if report.imported != residents:
                raise AssertionError(f"the benchmark imported {report.imported} residents "
                                     f"of {residents}")
            users.create_user(session, username="bench-cdc", display_name="Bench CDC",
                              role="health-authority", scope="bz", password=None, at=at)
            token = tokens.issue_api_token(session, "bench-cdc", at=at, label="bench").text
    finally:
        engine.dispose()
    settings = Settings(
        database_url=url.render_as_string(hide_password=False),
        pseudonym_key=_b64(keys.pseudonym_key), field_keys=_b64(field_key),
        audit_key=_b64(os.urandom(32)), key_dir=folder / "dev-keys",
        keystore_dir=store.directory, key_passphrase=SecretStr(PASSPHRASE.decode()))
    pids = [pseudonymise(f"B{i:017d}", keys.pseudonym_key) for i in range(residents)]
    signer = store.issuer().signer_for(CredentialType.HEALTH_CODE, at)
    return District(settings, token, pids, signer)


def _client(base: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                        timeout=30)


def issue_for(client: httpx.Client, pids: list[str], seconds: float,
              start: int = 0) -> list[float]:
    """Ask for health codes one after another for ``seconds``; return each request's time."""
    times: list[float] = []
    index = start
    deadline = time.perf_counter() + seconds
    while (began := time.perf_counter()) < deadline:
        response = client.post(f"/api/residents/{pids[index % len(pids)]}/health-code")
        if response.status_code != 200:
            raise AssertionError(f"the API refused a benchmark issue: {response.status_code} "
                                 f"{response.text[:200]}")
        times.append(time.perf_counter() - began)
        index += 1
    return times


def _concurrent(clients: list[httpx.Client], pids: list[str], seconds: float) -> float:
    began = time.perf_counter()
    with ThreadPoolExecutor(len(clients)) as pool:
        counts = pool.map(lambda pair: len(issue_for(pair[1], pids, seconds, pair[0] * 97)),
                          enumerate(clients))
        total = sum(counts)
    return total / (time.perf_counter() - began)


def rate(work: Callable[[], object], seconds: float, batch: int = 10) -> float:
    """Return how many times per second ``work`` runs, over about ``seconds``."""
    count = 0
    began = time.perf_counter()
    deadline = began + seconds
    while time.perf_counter() < deadline:
        for _ in range(batch):
            work()
        count += batch
    return count / (time.perf_counter() - began)


def _rounds(district: District, base: str, seconds: float,
            clients: int) -> dict[str, list[float]]:
    """Interleave rounds of the API (one client, then ``clients``), raw signing and PNGs."""
    samples: dict[str, list[float]] = {"api": [], "raw": [], "png": [], "concurrent": [],
                                       "latency": []}
    with _client(base, district.token) as client:
        warm = client.post(f"/api/residents/{district.pids[0]}/health-code")
        warm.raise_for_status()
        text = warm.json()["qr"]
        signed = decode(text).signed  # the Sig_structure the API signed
        issue_for(client, district.pids, min(1.0, seconds / 4))  # warm up caches and pools
        extra = [_client(base, district.token) for _ in range(clients if clients > 1 else 0)]
        reference = min(RAW_SECONDS, seconds / ROUNDS / 4)
        try:
            for _ in range(ROUNDS):
                times = issue_for(client, district.pids, seconds / ROUNDS)
                samples["api"].append(len(times) / sum(times))
                samples["latency"].extend(times)
                samples["raw"].append(rate(lambda: sign(district.signer.key, "ES256", signed),
                                           reference, batch=50))
                samples["png"].append(rate(lambda: render_png(text), reference, batch=1))
                if extra:
                    samples["concurrent"].append(_concurrent(extra, district.pids,
                                                             seconds / ROUNDS))
        finally:
            for other in extra:
                other.close()
    return samples


def measure(url: URL, folder: Path, seconds: float, residents: int,
            clients: int) -> dict[str, Any]:
    """Set up a district on ``url``, serve it, and measure issuing against raw signing."""
    district = set_up(url, folder, residents)
    with serving(create_app(district.settings)) as base:
        samples = _rounds(district, base, seconds, clients)
    api, raw = statistics.median(samples["api"]), statistics.median(samples["raw"])
    latency = sorted(samples["latency"])
    figures: dict[str, Any] = {
        "database": url.get_backend_name(), "residents": residents,
        "issued": len(latency), "codes_per_s": round(api, 1),
        "raw_signs_per_s": round(raw, 1), "ratio": round(api / raw, 4),
        "png_renders_per_s": round(statistics.median(samples["png"]), 1),
        "latency_ms_p50": round(1000 * latency[len(latency) // 2], 2),
        "latency_ms_p99": round(1000 * latency[int(len(latency) * 0.99)], 2),
        "clients": max(1, clients),
    }
    if samples["concurrent"]:
        concurrent = statistics.median(samples["concurrent"])
        figures |= {"concurrent_codes_per_s": round(concurrent, 1),
                    "concurrent_ratio": round(concurrent / raw, 4)}
    return figures


def run(targets: list[str] | None = None, seconds: float = 6.0, residents: int = 300,
        clients: int = 1) -> dict[str, Any]:
    """Run the benchmark on each target (``sqlite://`` or a PostgreSQL server URL)."""
    results, skipped = on_each_database(
        targets or ["sqlite://"],
        lambda scratch, folder: measure(scratch, folder, seconds, residents, clients))
    return {"seconds": seconds, "rounds": ROUNDS, "results": results, "skipped": skipped}
