"""The HC1 format: EU DCC vaccination, test and recovery certificates, exemptions, WHO DDCC."""

from __future__ import annotations

from jointcheck.credentials.cose import sig_structure
from jointcheck.credentials.cwt import open_envelope
from jointcheck.credentials.dcc import credential_from_hcert
from jointcheck.credentials.ddcc import credential_from_ddcc, is_ddcc
from jointcheck.credentials.model import SignedEnvelope

PREFIX = "HC1:"


class HC1Codec:
    """Decode ``HC1:`` QR text (CWT in COSE_Sign1, zlib, base45)."""

    format = "hc1"

    def applies(self, text: str) -> bool:
        """Tell whether ``text`` carries the HC1 prefix."""
        return text.startswith(PREFIX)

    def decode(self, text: str) -> SignedEnvelope:
        """Decode HC1 text into a signed envelope."""
        sign1, claims = open_envelope(text, PREFIX)
        credential = credential_from_ddcc(claims) if is_ddcc(claims) else (
            credential_from_hcert(claims, self.format)
        )
        return SignedEnvelope(credential, sign1.algorithm, sign1.kid,
                              sig_structure(sign1.protected, sign1.payload), sign1.signature)


HC1_CODEC = HC1Codec()
