"""Trusted public keys, looked up by kid in O(1), with their validity and allowed use.

Several keys may share a kid (a kid is only 8 bytes of a hash, and a SMART Health Card kid is
chosen by its issuer): the store returns every candidate and the verifier tries each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from jointcheck.credentials.model import CredentialType
from jointcheck.trust.signatures import PublicKey


@dataclass(frozen=True, slots=True, eq=False)
class TrustedKey:
    """A public key the verifier trusts, with what it may sign and when.

    ``usages`` is ``None`` where the key may sign any type (a DSC without extended key usage,
    as the DCC specification allows). ``issuer`` binds a key to an issuer URL (SMART Health
    Cards); ``None`` means the kid alone selects it.
    """

    kid: bytes
    public_key: PublicKey
    usages: frozenset[CredentialType] | None = None
    not_before: datetime | None = None
    not_after: datetime | None = None
    issuer: str | None = None
    label: str = ""
    source: str = ""

    def allows(self, kind: CredentialType) -> bool:
        """Tell whether this key may sign credentials of ``kind``."""
        return self.usages is None or kind in self.usages

    def valid_at(self, at: datetime) -> bool:
        """Tell whether the key is within its validity at ``at``."""
        if self.not_before is not None and at < self.not_before:
            return False
        return self.not_after is None or at <= self.not_after


@dataclass
class TrustStore:
    """The keys and revocations a verifier trusts; built at the edge, passed into verify."""

    _by_kid: dict[bytes, list[TrustedKey]] = field(default_factory=lambda: defaultdict(list))
    revoked: set[str] = field(default_factory=set)
    revoked_shc: dict[str, dict[str, int | None]] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, keys: Iterable[TrustedKey], revoked: Iterable[str] = ()) -> TrustStore:
        """Build a store from keys and revoked certificate-id hashes."""
        store = cls()
        for key in keys:
            store.add(key)
        store.revoked.update(revoked)
        return store

    def add(self, key: TrustedKey) -> None:
        """Trust one more key."""
        self._by_kid[key.kid].append(key)

    def merge(self, other: TrustStore) -> None:
        """Take every key and revocation of ``other`` too."""
        for keys in other._by_kid.values():
            for key in keys:
                self.add(key)
        self.revoked.update(other.revoked)
        for kid, rids in other.revoked_shc.items():
            self.revoked_shc.setdefault(kid, {}).update(rids)
        self.sources.extend(other.sources)

    def candidates(self, kid: bytes, issuer: str | None = None) -> Sequence[TrustedKey]:
        """Return the keys that may have made a signature with ``kid`` (from ``issuer``)."""
        keys = self._by_kid.get(kid, ())
        if issuer is None:
            return keys
        return [k for k in keys if k.issuer is None or k.issuer == issuer]

    def keys(self) -> list[TrustedKey]:
        """Return every trusted key."""
        return [k for keys in self._by_kid.values() for k in keys]

    def __len__(self) -> int:
        return sum(len(keys) for keys in self._by_kid.values())
