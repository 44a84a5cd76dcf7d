"""Wire formats of credentials: HC1 (EU DCC, exemption, WHO DDCC), health codes, SMART Health Cards.

Nothing here trusts anything: codecs decode QR text into a :class:`SignedEnvelope`, and
:mod:`jointcheck.trust` decides whether to believe it.
"""

from jointcheck.credentials.model import (
    CodeColor,
    Credential,
    CredentialType,
    ExemptionEntry,
    HealthCodeEntry,
    RecoveryEntry,
    SignedEnvelope,
    Subject,
    TestEntry,
    VaccinationEntry,
    same_holder,
    standardise_name,
)
from jointcheck.credentials.payloads import Holder
from jointcheck.credentials.registry import decode

__all__ = [
    "CodeColor",
    "Credential",
    "CredentialType",
    "ExemptionEntry",
    "HealthCodeEntry",
    "Holder",
    "RecoveryEntry",
    "SignedEnvelope",
    "Subject",
    "TestEntry",
    "VaccinationEntry",
    "decode",
    "same_holder",
    "standardise_name",
]
