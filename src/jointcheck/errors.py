"""Errors of jointcheck: one base class, one subclass per stage, each refusal with a stable code.

A refusal names the stage of the pipeline that refused (``stage``) and a stable kebab-case
``code`` that scripts, the API and the checkpoint page can rely on, plus a short message for
people. Subclasses also derive from ``ValueError`` where the cause is bad input, so that callers
that only know the standard library still catch them.
"""

from __future__ import annotations

from typing import ClassVar


class JointcheckError(Exception):
    """A refusal with a stage, a stable code and a message."""

    stage: ClassVar[str] = "general"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(stage={self.stage!r}, code={self.code!r}, {self.message!r})"

    def as_dict(self) -> dict[str, str]:
        """Return the refusal as a plain mapping (stage, code, message)."""
        return {"stage": self.stage, "code": self.code, "message": self.message}


class InputError(JointcheckError, ValueError):
    """The input could not be read at all (empty, not text, not an image)."""

    stage = "input"


class QrError(JointcheckError, ValueError):
    """No QR code could be read from an image."""

    stage = "qr"


class PrefixError(JointcheckError, ValueError):
    """The QR text does not start with a known credential prefix."""

    stage = "prefix"


class Base45Error(JointcheckError, ValueError):
    """The base45 text is damaged."""

    stage = "base45"


class CompressionError(JointcheckError, ValueError):
    """The zlib (or raw DEFLATE) stream is damaged or missing."""

    stage = "compression"


class CoseError(JointcheckError, ValueError):
    """The COSE_Sign1 structure or its headers are malformed."""

    stage = "cose"


class JwsError(JointcheckError, ValueError):
    """A compact JWS (SMART Health Card) is malformed."""

    stage = "jws"


class PayloadError(JointcheckError, ValueError):
    """The signed payload (CWT claims, DCC, health code, FHIR bundle) is malformed."""

    stage = "payload"


class SchemaError(JointcheckError, ValueError):
    """A payload to be issued does not satisfy its schema."""

    stage = "schema"


class SignatureError(JointcheckError):
    """The signature does not verify with any trusted key for the kid."""

    stage = "signature"


class TrustError(JointcheckError):
    """The signer is unknown, not valid at the time, or not allowed to sign this type."""

    stage = "trust"


class ValidityError(JointcheckError):
    """The credential is not valid at the time of the check (not yet valid, expired)."""

    stage = "validity"


class RevocationError(JointcheckError):
    """The credential is on the revocation list."""

    stage = "revocation"


class HolderError(JointcheckError):
    """Credentials shown together belong to different people."""

    stage = "holder"


class TrustListError(JointcheckError, ValueError):
    """A trust list, certificate or key set could not be loaded or its signature is wrong."""

    stage = "trust-list"


class KeyStoreError(JointcheckError):
    """The issuer's key store is missing, locked or damaged."""

    stage = "key-store"


class CertLogicError(JointcheckError, ValueError):
    """A CertLogic expression is invalid or could not be evaluated."""

    stage = "certlogic"


class PolicyError(JointcheckError, ValueError):
    """A policy pack is invalid, unknown or not in force, or names an unknown venue category."""

    stage = "policy"


class RegistryError(JointcheckError, ValueError):
    """A registry value (area, person, record, organisation, venue) or an imported row is invalid.

    Codes: ``bad-area-code``, ``unknown-area``, ``bad-level``, ``missing-field``, ``bad-field``,
    ``bad-sex``, ``bad-date``, ``bad-dose``, ``unknown-product``, ``bad-institution-level``,
    ``bad-reason``, ``bad-validity``, ``unknown-category``, ``unknown-post``,
    ``unknown-industry``, ``unknown-organisation-type``, ``bad-code``, ``bad-id-number``; while
    importing also ``bad-header``, ``bad-csv``, ``bad-json``, ``bad-resource``,
    ``unknown-person``, ``duplicate-person``, ``duplicate-record`` and ``person-rejected``
    (another row of the same person was rejected, so none of that person's rows are written).
    """

    stage = "registry"


class PasswordError(JointcheckError, ValueError):
    """A new password does not meet the policy.

    Codes: ``password-too-short``, ``password-too-long``, ``password-one-class``.
    """

    stage = "password"


class TokenError(JointcheckError, ValueError):
    """An API token is not of the form ``jct_<token id>_<secret>``. Code: ``token-malformed``."""

    stage = "token"


class AccessDenied(JointcheckError):
    """A user may not do this, or not here.

    Codes: ``role-not-allowed`` (the role never holds the permission), ``outside-scope`` (the
    target lies outside the user's area, venue, organisation, industry or own record) and
    ``same-approver`` (a colour change approved by the user who made it).
    """

    stage = "access"


class AuditError(JointcheckError, ValueError):
    """An audit entry cannot be sealed (naive instant, detail not JSON): ``bad-entry``; or the
    chain does not verify where it must (before an anchor is written): ``chain-broken``."""

    stage = "audit"


class AuthenticationError(JointcheckError):
    """A caller could not be told who it is.

    Codes: ``login-failed`` (unknown user, wrong password or inactive account: one message for
    all, so that user names cannot be probed), ``token-missing``, ``token-invalid`` (unknown,
    wrong secret, revoked, or its user deactivated) and ``token-expired``.
    """

    stage = "authentication"


class AccountError(JointcheckError, ValueError):
    """A user account cannot be created or changed as asked.

    Codes: ``bad-username``, ``username-taken``, ``bad-role``, ``bad-scope``, ``unknown-scope``
    (the area, venue, organisation, industry or resident the scope names does not exist),
    ``bad-permission`` and ``bad-expiry``.
    """

    stage = "account"


class NotFoundError(JointcheckError):
    """What a call names does not exist.

    Codes: ``unknown-resident``, ``unknown-area``, ``unknown-user``, ``unknown-token``.
    """

    stage = "lookup"


class EventError(JointcheckError, ValueError):
    """A check event or registration sent by a checkpoint is malformed.

    Codes: ``event-invalid``, ``event-id-invalid``, ``event-time-invalid``,
    ``event-in-future``, ``event-venue-mismatch``, ``registration-invalid``,
    ``registration-event-unknown``, ``batch-invalid``, ``batch-too-large``.
    """

    stage = "event"


class NodeError(JointcheckError):
    """The checkpoint node cannot check right now: no synced policy, a clock that jumped.

    Codes: ``node-not-synced``, ``clock-jumped``, ``clock-behind``, ``server-unreachable``,
    ``server-refused``; in a sync ``venue-mismatch`` (the token is another venue's); when the
    node starts ``venue-mismatch`` and ``anchor-mismatch`` (the data folder is another venue's
    or pins another anchor), ``anchor-fingerprint-invalid`` and ``node-key-invalid``.
    """

    stage = "node"
