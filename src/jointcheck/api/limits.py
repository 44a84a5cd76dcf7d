"""A request body limit enforced while the body arrives, before it is parsed or spooled."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jointcheck.api.errors import error_response

MESSAGE = "the request body exceeds the limit of {limit} bytes"


class BodyLimit:
    """Refuse a body larger than ``limit`` bytes with 413, by its length or as it streams.

    A declared ``Content-Length`` over the limit is refused before anything is read. A body
    sent in chunks is counted as it arrives; the first chunk past the limit raises an
    ``HTTPException`` (413), which FastAPI lets through its body parsing unchanged.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", ())).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            response = error_response(413, "input", "upload-too-large",
                                      MESSAGE.format(limit=self.limit))
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise HTTPException(413, MESSAGE.format(limit=self.limit))
            return message

        await self.app(scope, counted, send)
