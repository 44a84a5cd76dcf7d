"""Benchmark: verify freshly issued HC1 certificates, QR text to result, on one core.

In the same run it measures (a) the raw ES256 verifications of the same messages with
``cryptography`` alone (the floor any verifier pays), (b) the same pipeline built the obvious
way from PyPI's ``base45``, ``zlib``, ``cbor2`` and ``pycose``, and (c) the bare minimum any
Python pipeline does (base45, zlib, two CBOR decodes and the signature check, with no
checks, mapping or result), which shows how much of the distance to (a) is the language's
own cost per call and how much is jointcheck's. Rounds are interleaved
so that a busy machine slows all three alike; the median round of each is reported.
"""

from __future__ import annotations

import os
import statistics
import time
import zlib
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from jointcheck.credentials.base45 import b45decode
from jointcheck.credentials.cose import sig_structure
from jointcheck.credentials.hc1 import HC1_CODEC
from jointcheck.credentials.payloads import Holder
from jointcheck.trust.certificates import make_anchor, make_signer, new_private_key, trusted_key
from jointcheck.trust.issuer import Issuer, IssuerProfile, Signer
from jointcheck.trust.revocation import certificate_id_hash
from jointcheck.trust.store import TrustStore
from jointcheck.trust.usage import DCC_TYPES
from jointcheck.trust.verify import verify

START = datetime(2026, 1, 1, tzinfo=UTC)


def pin_to_one_core() -> int | None:
    """Run this process on a single CPU where the platform allows it; return which."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def issue_certificates(count: int) -> tuple[list[str], TrustStore, Signer]:
    """Issue ``count`` distinct vaccination certificates and the store that trusts them."""
    anchor_key = new_private_key()
    anchor = make_anchor(anchor_key, "Bench CSCA", "CN", START, START + timedelta(days=3650))
    key = new_private_key()
    signer = Signer(key, make_signer(anchor_key, anchor, key.public_key(), "Bench DSC",
                                     DCC_TYPES, START, START + timedelta(days=730)))
    issuer = Issuer(IssuerProfile(), [signer])
    texts = [
        issuer.vaccination(Holder.parse(f"Resident{i:05d} Test", f"19{50 + i % 50}-0{1 + i % 9}-1"
                                        f"{i % 10}"), dose=1 + i % 3, series=3,
                           when=date(2025, 1 + i % 12, 1 + i % 28), at=START).text
        for i in range(count)
    ]
    # A checkpoint's store has a revocation list; 10,000 hashes of other ids stand for one.
    revoked = [certificate_id_hash(f"URN:UVCI:01:CN:REVOKED/{i}") for i in range(10_000)]
    return texts, TrustStore.of([trusted_key(signer.certificate)], revoked), signer


def _rate(run: Callable[[], int]) -> float:
    began = time.perf_counter()
    n = run()
    return n / (time.perf_counter() - began)


def _pipeline(texts: Sequence[str], store: TrustStore, at: datetime) -> Callable[[], int]:
    def run() -> int:
        for text in texts:
            if not verify(text, store, at).valid:
                raise AssertionError("a benchmark certificate failed to verify")
        return len(texts)
    return run


def _raw(texts: Sequence[str], signer: Signer) -> Callable[[], int]:
    key = signer.certificate.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    messages = []
    for text in texts:
        envelope = HC1_CODEC.decode(text)
        der = encode_dss_signature(int.from_bytes(envelope.signature[:32], "big"),
                                   int.from_bytes(envelope.signature[32:], "big"))
        messages.append((der, envelope.signed))
    algorithm = ec.ECDSA(hashes.SHA256())

    def run() -> int:
        for der, signed in messages:
            key.verify(der, signed, algorithm)
        return len(messages)
    return run


def _bare(texts: Sequence[str], signer: Signer) -> Callable[[], int]:
    key = signer.certificate.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    algorithm = ec.ECDSA(hashes.SHA256())

    def run() -> int:
        for text in texts:
            protected, _, payload, signature = cbor2.loads(
                zlib.decompress(b45decode(text[4:]))).value
            cbor2.loads(payload)
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"),
                                       int.from_bytes(signature[32:], "big"))
            key.verify(der, sig_structure(protected, payload), algorithm)
        return len(texts)
    return run


def _pycose(texts: Sequence[str], signer: Signer) -> Callable[[], int]:
    import base45
    from pycose.keys import CoseKey
    from pycose.keys.curves import P256
    from pycose.keys.keyparam import EC2KpCurve, EC2KpX, EC2KpY, KpKty
    from pycose.keys.keytype import KtyEC2
    from pycose.messages import CoseMessage

    public_key = signer.certificate.public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    numbers = public_key.public_numbers()
    cose_key = CoseKey.from_dict({KpKty: KtyEC2, EC2KpCurve: P256,
                                  EC2KpX: numbers.x.to_bytes(32, "big"),
                                  EC2KpY: numbers.y.to_bytes(32, "big")})

    def run() -> int:
        for text in texts:
            message = CoseMessage.decode(zlib.decompress(base45.b45decode(text[4:])))
            message.key = cose_key
            if not message.verify_signature():
                raise AssertionError("pycose refused a benchmark certificate")
            cbor2.loads(message.payload)
        return len(texts)
    return run


def run(count: int = 3000, rounds: int = 5, pycose_count: int = 300) -> dict[str, Any]:
    """Measure the three pipelines; return verifications per second and the ratios."""
    cpu = pin_to_one_core()
    texts, store, signer = issue_certificates(count)
    at = START + timedelta(days=1)
    measures: dict[str, Callable[[], int]] = {
        "pipeline": _pipeline(texts, store, at),
        "raw_es256": _raw(texts, signer),
        "bare": _bare(texts, signer),
        "pycose": _pycose(texts[:pycose_count], signer),
    }
    samples: dict[str, list[float]] = {name: [] for name in measures}
    for measure in measures.values():
        measure()  # warm up: first calls pay for imports and caches
    for _ in range(rounds):
        for name, measure in measures.items():
            samples[name].append(_rate(measure))
    rates = {name: statistics.median(values) for name, values in samples.items()}
    return {
        "certificates": count,
        "rounds": rounds,
        "cpu": cpu,
        "pipeline_per_s": round(rates["pipeline"], 1),
        "raw_es256_per_s": round(rates["raw_es256"], 1),
        "pycose_per_s": round(rates["pycose"], 1),
        "bare_per_s": round(rates["bare"], 1),
        "ratio_raw": round(rates["pipeline"] / rates["raw_es256"], 3),
        "ratio_pycose": round(rates["pipeline"] / rates["pycose"], 2),
        "ratio_bare_to_raw": round(rates["bare"] / rates["raw_es256"], 3),
        "pipeline_us": round(1e6 / rates["pipeline"], 1),
        "raw_es256_us": round(1e6 / rates["raw_es256"], 1),
        "pycose_us": round(1e6 / rates["pycose"], 1),
        "bare_us": round(1e6 / rates["bare"], 1),
    }
