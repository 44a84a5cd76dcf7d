"""Errors as JSON, ``{"error": {"stage", "code", "message"}}``, with their HTTP statuses.

The domain's errors carry a stage and a stable code, never an HTTP status: this module is the
one place that maps them (``STATUS_BY_CODE`` first, then ``STATUS_BY_CLASS``, else 422, a
refusal of what was sent). A 401 carries ``WWW-Authenticate: Bearer``.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from jointcheck.config import ConfigError
from jointcheck.errors import (
    AccessDenied,
    AccountError,
    AuditError,
    AuthenticationError,
    InputError,
    JointcheckError,
    NotFoundError,
    PasswordError,
    PolicyError,
    RegistryError,
    SchemaError,
    TokenError,
)

log = logging.getLogger("jointcheck.api")

STATUS_BY_CODE: dict[str, int] = {
    "upload-too-large": 413,
    "resident-unknown": 404,
    "change-unknown": 404,
    "credential-unknown": 404,
    "change-decided": 409,
    "change-stale": 409,
    "already-revoked": 409,
    "keystore-missing": 503,
    "username-taken": 409,
    "chain-broken": 409,
    "bad-entry": 500,
    "event-venue-mismatch": 403,
    "batch-too-large": 413,
    "case-closed": 409,
    "investigation-exists": 409,
    "not-a-member": 404,
}
STATUS_BY_CLASS: tuple[tuple[type[JointcheckError], int], ...] = (
    (AuthenticationError, 401),
    (TokenError, 401),
    (AccessDenied, 403),
    (NotFoundError, 404),
    (InputError, 400),
    (AccountError, 422),
    (PasswordError, 422),
    (RegistryError, 422),
    (SchemaError, 422),
    (PolicyError, 422),
    (AuditError, 500),
    (ConfigError, 500),
)
HTTP_CODES = {400: "bad-request", 401: "unauthenticated", 403: "forbidden", 404: "not-found",
              405: "method-not-allowed", 413: "upload-too-large", 415: "unsupported-media-type"}


class ErrorDetail(BaseModel):
    """A refusal: the stage that refused, its stable code, a sentence for people."""

    stage: str
    code: str
    message: str


class ErrorBody(BaseModel):
    """Every error response of the API."""

    error: ErrorDetail


Responses = dict[int | str, dict[str, Any]]


def _described(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


def documented(status: int, description: str) -> Responses:
    """Return the OpenAPI entry of an error response with the error body."""
    return {status: _described(description)}


REFUSED = _described("A field is missing or of the wrong type (`bad-request`), or the "
                     "domain refused the value (its own code)")
AUTH_RESPONSES: Responses = {
    401: _described("No token, a malformed, unknown, revoked or expired token "
                    "(`token-missing`, `token-invalid`, `token-expired`)"),
    403: _described("The role may not do this (`role-not-allowed`) or the target lies outside "
                    "the user's scope (`outside-scope`)"),
    422: REFUSED,
}
INPUT_RESPONSES: Responses = {
    400: _described("The body is not well-formed JSON (`bad-json`)"),
    422: REFUSED,
}


def status_of(error: JointcheckError) -> int:
    """Return the HTTP status of a domain error."""
    if error.code in STATUS_BY_CODE:
        return STATUS_BY_CODE[error.code]
    for cls, status in STATUS_BY_CLASS:
        if isinstance(error, cls):
            return status
    return 422


def error_response(status: int, stage: str, code: str, message: str) -> JSONResponse:
    """Return the JSON response of one refusal (with the Bearer challenge on a 401)."""
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    body = {"error": {"stage": stage, "code": code, "message": message}}
    return JSONResponse(body, status_code=status, headers=headers)


async def _domain(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, JointcheckError)
    status = status_of(exc)
    if status >= 500:
        log.error("api.error.%s: %s", exc.code, exc.message)
    return error_response(status, exc.stage, exc.code, exc.message)


def _field(error: Any) -> str:
    return ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body"


async def _validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = list(exc.errors())
    if any(p.get("type") == "json_invalid" for p in problems):
        return error_response(400, "input", "bad-json", "the body is not well-formed JSON")
    message = "; ".join(f"{_field(p)}: {p.get('msg', 'invalid')}" for p in problems[:5])
    return error_response(422, "input", "bad-request", message or "the request is invalid")


async def _http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = HTTP_CODES.get(exc.status_code, f"http-{exc.status_code}")
    return error_response(exc.status_code, "http", code, str(exc.detail))


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("api.error.internal", exc_info=exc)
    return error_response(500, "server", "internal-error", "the server failed; it is logged")


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into the JSON error body."""
    app.add_exception_handler(JointcheckError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
