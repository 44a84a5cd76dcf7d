"""Credentials: issue a resident's QR codes, set health-code colours, revoke, rotate keys, check.

A resident issues their own codes; the health authority issues anyone's in its district. A
red or yellow colour is a request until a second user approves it, and the resident reads
every change with its reason. ``/api/trust-list`` is public, as checkpoints sync it.
"""

from __future__ import annotations

import base64
import json
import threading
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, StrictStr

from jointcheck.api.deps import AuditDep, PrincipalDep, SessionDep, require_role
from jointcheck.api.errors import AUTH_RESPONSES
from jointcheck.config import ConfigError, RegistryKeys
from jointcheck.credentials.qr import render_png
from jointcheck.keystore import GROUPS, KeyStore, add_signer, publish_trust_list
from jointcheck.policy_sources import find_pack
from jointcheck.rules.policy import PolicyPack
from jointcheck.security.access import Permission
from jointcheck.services.health_codes import (
    approve_color_change,
    color_history,
    reject_color_change,
    request_color_change,
)
from jointcheck.services.issuance import (
    IssuingKeys,
    issue_exemption_certificate,
    issue_health_code,
    issue_vaccination_certificate,
    revoke_credential,
)
from jointcheck.storage.repositories.credentials import ColorChange
from jointcheck.trust.issuer import Issued
from jointcheck.trust.store import TrustStore
from jointcheck.trust.trustlist import load_trust_list

router = APIRouter(prefix="/api", tags=["credentials"], responses=AUTH_RESPONSES)


class CredentialsContext:
    """The key store, its issuer and trust, and the district's policy: held by the app."""

    def __init__(self, store: KeyStore, passphrase: bytes, policy: str) -> None:
        self.store, self.passphrase = store, passphrase
        self.pack: PolicyPack = find_pack(policy)
        # Requests run on a thread pool: two revocations or rotations at once would each
        # read the store's revocations and sequence and write their own, losing the other's.
        self.lock = threading.Lock()
        self.reload()

    def reload(self) -> None:
        """Re-read the trust list after a rotation or revocation."""
        data = self.store.trust_list_path.read_bytes()
        self.trust_document = json.loads(data)
        self.trust: TrustStore = load_trust_list(data, [self.store.anchor]).store

    def issuing(self, keys: RegistryKeys) -> IssuingKeys:
        """Return what issuing needs, with the registry's field cipher."""
        return IssuingKeys(self.store.issuer(), keys.cipher)


def credentials_context(request: Request) -> CredentialsContext:
    """Return the credentials context ``create_app`` stored on the app."""
    found: CredentialsContext | None = getattr(request.app.state, "credentials", None)
    if found is None:
        raise ConfigError("keystore-missing", "this server was started without a key store "
                          "(JOINTCHECK_KEYSTORE_DIR)")
    return found


CredentialsDep = Annotated[CredentialsContext, Depends(credentials_context)]
KIND = Literal["health-code", "vaccination-certificate", "exemption-certificate"]
ISSUERS = {"health-code": issue_health_code,
           "vaccination-certificate": issue_vaccination_certificate,
           "exemption-certificate": issue_exemption_certificate}


class IssuedOut(BaseModel):
    """A freshly signed credential: its QR text, and (if asked for) a PNG of the QR as base64."""

    type: str
    certificate_id: str
    qr: str
    png_base64: str | None
    issued_at: datetime
    expires_at: datetime


class ColorChangeIn(BaseModel):
    """A request to set a resident's colour, with the reason the resident will read."""

    color: Literal["green", "yellow", "red"]
    reason: StrictStr = Field(min_length=4, max_length=500)


class DecisionNoteIn(BaseModel):
    """An approver's note on a request."""

    note: StrictStr | None = Field(default=None, max_length=500)


class ColorChangeOut(BaseModel):
    """A colour change request and what became of it."""

    id: int
    from_color: str
    to_color: str
    reason: str
    requested_by: str
    requested_role: str
    requested_at: datetime
    status: str
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None


class ColorHistoryOut(BaseModel):
    """A resident's colour now and every change, newest first."""

    color: str
    changes: list[ColorChangeOut]


class RotateIn(BaseModel):
    """Which signer group gets a new key."""

    group: Literal["dcc", "exemption", "health-code"]


def _issued(issued: Issued, png: bool) -> IssuedOut:
    # Drawing the PNG costs ten times the signing (segno tries every mask): only on request.
    image = base64.b64encode(render_png(issued.text)).decode() if png else None
    return IssuedOut(type=issued.type.value, certificate_id=issued.certificate_id,
                     qr=issued.text, png_base64=image, issued_at=issued.issued_at,
                     expires_at=issued.expires_at)


def _change(change: ColorChange) -> ColorChangeOut:
    return ColorChangeOut(**change._asdict())


@router.post("/residents/{pid}/{kind}", response_model=IssuedOut)
def issue(pid: str, kind: KIND, request: Request, principal: PrincipalDep, session: SessionDep,
          audit: AuditDep, credentials: CredentialsDep,
          png: Annotated[bool, Query(description="Include a PNG of the QR code.")] = False
          ) -> IssuedOut:
    """Issue a resident's health code or certificate (a resident: only their own)."""
    keys = credentials.issuing(request.app.state.jointcheck.keys)
    return _issued(ISSUERS[kind](session, audit, keys, principal, pid), png)


@router.get("/residents/{pid}/health-code/history", response_model=ColorHistoryOut)
def history(pid: str, principal: PrincipalDep, session: SessionDep,
            audit: AuditDep) -> ColorHistoryOut:
    """Return the colour and every change with its reason, who asked and who approved."""
    color, changes = color_history(session, audit, principal, pid)
    return ColorHistoryOut(color=color, changes=[_change(c) for c in changes])


@router.post("/residents/{pid}/health-code/color", response_model=ColorChangeOut)
def set_color(pid: str, body: ColorChangeIn, principal: PrincipalDep, session: SessionDep,
              audit: AuditDep) -> ColorChangeOut:
    """Ask to set a colour; a change to or from red or yellow waits for a second user."""
    return _change(request_color_change(session, audit, principal, pid, body.color, body.reason))


@router.post("/health-code/changes/{change_id}/approve", response_model=ColorChangeOut)
def approve(change_id: int, body: DecisionNoteIn, principal: PrincipalDep,
            session: SessionDep, audit: AuditDep) -> ColorChangeOut:
    """Approve another user's pending request."""
    return _change(approve_color_change(session, audit, principal, change_id, body.note))


@router.post("/health-code/changes/{change_id}/reject", response_model=ColorChangeOut)
def reject(change_id: int, body: DecisionNoteIn, principal: PrincipalDep, session: SessionDep,
           audit: AuditDep) -> ColorChangeOut:
    """Reject a pending request; the colour stays."""
    return _change(reject_color_change(session, audit, principal, change_id, body.note or ""))


# A UVCI holds "/" and "#" (URN:UVCI:01:CN:FZCDC/ABC#K): the id takes the rest of the path,
# and a client percent-encodes it ("#" must be %23; "/" may stay or be %2F).
@router.post("/credentials/{certificate_id:path}/revoke", status_code=204)
def revoke(certificate_id: str, principal: PrincipalDep, session: SessionDep, audit: AuditDep,
           credentials: CredentialsDep) -> Response:
    """Revoke an issued credential (its id percent-encoded); the new trust list lists it."""
    with credentials.lock:
        revoke_credential(session, audit, credentials.store, principal, certificate_id)
        credentials.reload()
    return Response(status_code=204)


@router.post("/keys/rotate")
def rotate(body: RotateIn, principal: PrincipalDep, audit: AuditDep,
           credentials: CredentialsDep) -> dict[str, Any]:
    """Add a new signer for a group and publish the trust list; older codes keep verifying."""
    require_role(principal, Permission.KEYS_MANAGE)
    at = audit.clock.now()
    with credentials.lock:
        label = add_signer(credentials.store, body.group, credentials.passphrase, at)
        publish_trust_list(credentials.store, at)
        credentials.reload()
        sequence = credentials.store.meta["sequence"]
    audit.record(principal, "keys.rotated", None, None, {"group": body.group, "label": label})
    return {"label": label, "group": body.group, "groups": sorted(GROUPS),
            "sequence": sequence}


@router.get("/trust-list", tags=["public"], responses={})
def trust_list(credentials: CredentialsDep) -> JSONResponse:
    """Return the signed trust list (public keys and revocations) that checkpoints sync."""
    return JSONResponse(credentials.trust_document)
