"""What a node knows: its synced documents (each checked), its time, and how syncing goes.

The documents are checked when they arrive and again when the node starts from its store:
the trust list against the pinned anchor (the first list's, or ``--anchor-fingerprint``),
the policy bundle against the same anchor, the venue against ``--venue``. A refused document
is not used; the last good one stays, and the refusal is shown in the status. Each document
is replaced as a whole (one reference), so a check running on another thread sees either the
old or the new one, never a mixture.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from cryptography import x509

from jointcheck.checkpoint.events import instant, iso
from jointcheck.checkpoint.policy_bundle import PolicyBundle, load_policy_bundle
from jointcheck.checkpoint.timekeeping import (
    Anchor,
    NodeTime,
    Stale,
    Synced,
    node_time,
    stale,
)
from jointcheck.errors import JointcheckError, NodeError, TrustListError
from jointcheck.node.clocks import Readings, system_reading
from jointcheck.node.store import NodeStore
from jointcheck.rules.policy import PolicyPack
from jointcheck.trust.certificates import load_certificate
from jointcheck.trust.store import TrustStore
from jointcheck.trust.trustlist import TrustList, fingerprint, load_trust_list

log = logging.getLogger("jointcheck.node")

TRUST_LIST, POLICY, VENUE = "trust-list", "policy", "venue"
STATUS, UPLOAD = "status", "upload"


class NodeVenue(NamedTuple):
    """The venue a node checks for, as the server describes it."""

    id: str
    name: str
    category: str

    def as_dict(self) -> dict[str, str]:
        """Return the venue as JSON values."""
        return {"id": self.id, "name": self.name, "category": self.category}


class Problem(NamedTuple):
    """Why the last attempt at one part of a sync failed."""

    what: str
    code: str
    message: str


class Ready(NamedTuple):
    """What a check needs: the trusted keys, the policy and the venue."""

    trust: TrustStore
    pack: PolicyPack
    venue: NodeVenue


class _Trust(NamedTuple):
    trust_list: TrustList
    anchor: x509.Certificate
    confirmed_at: datetime


class _Policy(NamedTuple):
    bundle: PolicyBundle
    confirmed_at: datetime


class NodeState:
    """The node's synced documents, time and sync status, over its store."""

    def __init__(self, store: NodeStore, *, venue_id: str, max_age: timedelta,
                 readings: Readings = system_reading,
                 anchor_fingerprint: str | None = None) -> None:
        self.store, self.venue_id, self.max_age, self.readings = (store, venue_id, max_age,
                                                                  readings)
        self.started = readings()
        self._lock = threading.Lock()
        self._anchor: Anchor | None = None
        self._high_water = _instant_or_none(store.setting("high_water"))
        self.last_sync = _instant_or_none(store.setting("last_sync"))
        self.online = False
        self.server_lookup = False
        self._problems: dict[str, Problem] = {}
        self.pin = _pin(store, anchor_fingerprint)
        _bind_venue(store, venue_id)
        self._trust: _Trust | None = None
        self._policy: _Policy | None = None
        self._venue: tuple[NodeVenue, datetime] | None = None
        self._load()

    # -- documents -----------------------------------------------------------------------------

    def _load(self) -> None:
        """Check the documents of the store again (a node starting offline decides on them)."""
        stored = self.store.documents()
        for name, accept in ((TRUST_LIST, self._take_trust_list), (POLICY, self._take_policy),
                             (VENUE, self._take_venue)):
            document = stored.get(name)
            if document is None:
                continue
            try:
                accept(document.body, document.confirmed_at)
            except JointcheckError as error:
                log.error("node.store.refused %s: %s (%s)", name, error.message, error.code)
                self.report(name, error)

    def accept_trust_list(self, document: Any, confirmed_at: datetime) -> TrustList:
        """Check a trust list the server sent; keep and store it, or raise the refusal."""
        trust_list = self._take_trust_list(document, confirmed_at)
        if self.store.setting("anchor_fingerprint") is None:
            self.store.set_setting("anchor_fingerprint", trust_list.anchor_fingerprint)
        self.store.save_document(TRUST_LIST, document, confirmed_at)
        self._raise_high_water(confirmed_at)
        return trust_list

    def _take_trust_list(self, document: Any, confirmed_at: datetime) -> TrustList:
        if not isinstance(document, dict) or not isinstance(document.get("anchor"), str):
            raise TrustListError("trust-list-invalid", "the trust list names no anchor")
        anchor = load_certificate(document["anchor"].encode())
        found = fingerprint(anchor)
        if self.pin is not None and found != self.pin:
            raise TrustListError("anchor-unknown",
                                 f"the trust list is signed by the anchor {found[:16]}..., not "
                                 f"by the pinned {self.pin[:16]}...")
        trust_list = load_trust_list(document, [anchor], source="server trust list")
        current = self._trust
        if current is not None and trust_list.sequence < current.trust_list.sequence:
            raise TrustListError("trust-list-rollback",
                                 f"the trust list's sequence {trust_list.sequence} is older "
                                 f"than the {current.trust_list.sequence} held")
        self.pin = found
        self._trust = _Trust(trust_list, anchor, confirmed_at)
        return trust_list

    def accept_policy(self, document: Any, confirmed_at: datetime) -> PolicyBundle:
        """Check a policy bundle against the pinned anchor; keep and store it, or raise."""
        bundle = self._take_policy(document, confirmed_at)
        self.store.save_document(POLICY, document, confirmed_at)
        self._raise_high_water(confirmed_at)
        return bundle

    def _take_policy(self, document: Any, confirmed_at: datetime) -> PolicyBundle:
        trust = self._trust
        if trust is None:
            raise NodeError("node-not-synced", "no trust list to check the policy against")
        bundle = load_policy_bundle(document, trust.anchor)
        self._policy = _Policy(bundle, confirmed_at)
        return bundle

    def accept_venue(self, document: Any, confirmed_at: datetime) -> NodeVenue:
        """Keep the venue the server names for the token; refuse another than ``--venue``."""
        venue = self._take_venue(document, confirmed_at)
        self.store.save_document(VENUE, venue.as_dict(), confirmed_at)
        return venue

    def _take_venue(self, document: Any, confirmed_at: datetime) -> NodeVenue:
        if not isinstance(document, dict):
            raise NodeError("venue-mismatch", "the server names no venue for this token: it is "
                            "not a venue's checkpoint token")
        values = [document.get(key) for key in ("id", "name", "category")]
        if not all(isinstance(value, str) and value for value in values):
            raise NodeError("server-refused", "the server's venue lacks an id, name or category")
        venue = NodeVenue(*(str(value) for value in values))
        if venue.id != self.venue_id:
            raise NodeError("venue-mismatch", f"the token is for the venue {venue.id}, not "
                            f"{self.venue_id}")
        self._venue = (venue, confirmed_at)
        return venue

    def ready(self) -> Ready:
        """Return what a check needs; raise ``node-not-synced`` before a first good sync."""
        trust, policy, venue = self._trust, self._policy, self._venue
        if trust is None or policy is None or venue is None:
            missing = [name for name, held in ((TRUST_LIST, trust), (POLICY, policy),
                                               (VENUE, venue)) if held is None]
            raise NodeError("node-not-synced", "this checkpoint has not synced its "
                            f"{', '.join(missing)} with the server yet")
        return Ready(trust.trust_list.store, policy.bundle.pack, venue[0])

    # -- time ----------------------------------------------------------------------------------

    def set_server_time(self, server: datetime, forward: float) -> None:
        """Take the server's time, as read at ``forward`` on the forward clock."""
        self._anchor = Anchor(server, forward)
        self._raise_high_water(server)

    def time(self) -> NodeTime:
        """Return the time to decide at; raise ``clock-jumped`` or ``clock-behind``."""
        return node_time(self.readings(), self.started, self._anchor, self._high_water)

    def note_time(self, at: datetime) -> None:
        """Remember ``at`` as seen (kept in memory; the store keeps it with each event)."""
        with self._lock:
            if self._high_water is None or at > self._high_water:
                self._high_water = at

    def _raise_high_water(self, at: datetime) -> None:
        self.note_time(at)
        self.store.raise_high_water(at)

    def stale(self, now: datetime) -> list[Stale]:
        """Return the synced documents the server has not confirmed within ``max_age``."""
        held: dict[str, Synced] = {}
        if (trust := self._trust) is not None:
            held[TRUST_LIST] = Synced(trust.trust_list.issued_at, trust.confirmed_at)
        if (policy := self._policy) is not None:
            held[POLICY] = Synced(policy.bundle.issued_at, policy.confirmed_at)
        return stale(now, self.max_age, held)

    # -- sync status ---------------------------------------------------------------------------

    def report(self, what: str, error: JointcheckError | None) -> None:
        """Record how the last attempt at ``what`` went (``None``: it succeeded)."""
        with self._lock:
            if error is None:
                self._problems.pop(what, None)
            else:
                self._problems[what] = Problem(what, error.code, error.message)

    def problems(self) -> list[Problem]:
        """Return the refusals of the last sync, by part."""
        with self._lock:
            return list(self._problems.values())

    def synced(self, at: datetime) -> None:
        """Record a sync in which every document and the status were accepted."""
        self.last_sync = at
        self.store.set_setting("last_sync", iso(at))

    def status(self) -> dict[str, Any]:
        """Return the status the page shows (``docs/checkpoint.md``), with ``mode: node``."""
        clock_problem = None
        try:
            current = self.time()
            now, source, offset = current.now, current.source, current.system_offset
        except NodeError as error:
            clock_problem = {"code": error.code, "message": error.message}
            now, source, offset = self.readings().wall, "system", timedelta(0)
        trust, policy, venue = self._trust, self._policy, self._venue
        queue = self.store.queue_sizes()
        return {
            "mode": "node",
            "venue": None if venue is None else venue[0].as_dict(),
            "policy": None if policy is None else {
                "id": policy.bundle.pack.id, "version": policy.bundle.pack.version,
                "issued_at": iso(policy.bundle.issued_at),
                "confirmed_at": iso(policy.confirmed_at)},
            "trust_list": None if trust is None else {
                "sequence": trust.trust_list.sequence,
                "issued_at": iso(trust.trust_list.issued_at),
                "confirmed_at": iso(trust.confirmed_at),
                "anchor_fingerprint": trust.trust_list.anchor_fingerprint},
            "stale": stale_fields(self.stale(now)),
            "online": self.online,
            "last_sync": None if self.last_sync is None else iso(self.last_sync),
            "queue": {"events": queue.events, "registrations": queue.registrations},
            "time": {"now": iso(now), "source": source,
                     "system_offset_seconds": round(offset.total_seconds(), 3)},
            "clock_problem": clock_problem,
            "lookup": self.online and self.server_lookup,
            "problems": [problem._asdict() for problem in self.problems()],
        }


def stale_fields(items: list[Stale]) -> list[dict[str, Any]]:
    """Return stale documents as JSON values: what, issued_at, confirmed_at, age_hours."""
    return [{"what": item.what, "issued_at": iso(item.issued_at),
             "confirmed_at": iso(item.confirmed_at),
             "age_hours": round(item.age.total_seconds() / 3600, 1)} for item in items]


def _instant_or_none(text: str | None) -> datetime | None:
    return None if text is None else instant(text, "stored time")


def _pin(store: NodeStore, given: str | None) -> str | None:
    """Return the anchor fingerprint to pin: the one given, else the one the store holds."""
    pinned = store.setting("anchor_fingerprint")
    if given is None:
        return pinned
    wanted = given.strip().lower().replace(":", "")
    if len(wanted) != 64 or any(c not in "0123456789abcdef" for c in wanted):
        raise NodeError("anchor-fingerprint-invalid",
                        "an anchor fingerprint is the SHA-256 of its certificate, 64 hex digits")
    if pinned is not None and pinned != wanted:
        raise NodeError("anchor-mismatch", f"the data folder pins the anchor {pinned[:16]}..., "
                        "not the one given; use another data folder for another district")
    if pinned is None:
        store.set_setting("anchor_fingerprint", wanted)
    return wanted


def _bind_venue(store: NodeStore, venue_id: str) -> None:
    """Tie the data folder to one venue: its queue holds that venue's events."""
    bound = store.setting("venue_id")
    if bound is None:
        store.set_setting("venue_id", venue_id)
    elif bound != venue_id:
        raise NodeError("venue-mismatch", f"the data folder belongs to the venue {bound}; "
                        "use another data folder for another venue")
