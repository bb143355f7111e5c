"""What stands between the network and the app: the login, short validation errors, hidden uploads.

- ``BasicAuthGuard``: with ``MOODREEL_AUTH`` set, every request (the page, ``/gradio_api/*``,
  ``/api/*``, ``/docs``, ``/openapi.json``, static files, websockets) needs HTTP Basic
  credentials, compared in constant time; anything else gets 401 before the app sees it.
- ``UploadGuard``: files under the page's upload folder (watch histories) are never served
  back (``GET /gradio_api/file=...`` and ``GET /gradio_api/file/...`` answer 404).
- ``short_validation_error``: a 422 that names each bad field (``loc``) and says what is
  wrong (``msg``), never echoing the input: a 10 MB body gets a few hundred bytes back.

- ``BodySizeGuard``: a declared body over the cap gets a JSON 413 unread; a chunked one is
  stopped by FastAPI's own cap (``FastAPI(max_body_size=...)``), both set in ``moodreel.server``.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

MAX_ERRORS = 10
MAX_TEXT = 200


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value
    return None


async def _respond(send: Send, status: int, detail: str, headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BasicAuthGuard:
    """Pure ASGI middleware: HTTP Basic on every HTTP and websocket request."""

    def __init__(self, app: ASGIApp, user: str, password: str, realm: str = "moodreel") -> None:
        self.app = app
        self._user = user.encode("utf-8")
        self._password = password.encode("utf-8")
        self._challenge = f'Basic realm="{realm}", charset="UTF-8"'.encode()

    def allowed(self, authorization: bytes | None) -> bool:
        scheme, _, encoded = (authorization or b"").partition(b" ")
        if scheme.lower() != b"basic":
            return False
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            return False
        user, sep, password = decoded.partition(b":")
        # both compared every time (no short cut), each in constant time
        same_user = secrets.compare_digest(user, self._user)
        same_password = secrets.compare_digest(password, self._password)
        return bool(sep) and same_user and same_password

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self.allowed(_header(scope, b"authorization")):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008})
            return
        await _respond(send, 401, "login required", [(b"www-authenticate", self._challenge)])


class BodySizeGuard:
    """Pure ASGI middleware: a request whose ``Content-Length`` is over ``max_bytes`` gets a JSON
    413 unread (Starlette's own answer to it is plain text; a chunked body over the cap is
    stopped by FastAPI's ``max_body_size`` as it arrives, with the same JSON)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = _header(scope, b"content-length") if scope["type"] == "http" else None
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                size = -1
            if size < 0:
                await _respond(send, 400, "Content-Length is not a number of bytes")
                return
            if size > self.max_bytes:
                await _respond(send, 413, f"the request body is over {self.max_bytes:,} bytes")
                return
        await self.app(scope, receive, send)


class UploadGuard:
    """Pure ASGI middleware: 404 for any file route (``/file=…`` and Gradio's older ``/file/…``)
    that points into ``upload_dir``."""

    PREFIXES = ("/file=", "/file/")

    def __init__(self, app: ASGIApp, upload_dir: Path) -> None:
        self.app = app
        self.upload_dir = Path(upload_dir).resolve()

    def _inside(self, target: str) -> bool:
        # Gradio reads the target as a path of its own (absolute, or relative to its working
        # folder): every reading of it is checked, so ``/file/tmp/x`` and ``/file//tmp/x`` too
        for candidate in (target, "/" + target.lstrip("/")):
            try:
                resolved = Path(candidate).resolve()
            except (OSError, ValueError):  # a NUL byte, a loop: nothing gradio could serve either
                return True
            if resolved == self.upload_dir or self.upload_dir in resolved.parents:
                return True
        return False

    def hidden(self, path: str) -> bool:
        path = unquote(path)
        for prefix in self.PREFIXES:
            _, sep, target = path.partition(prefix)
            if sep and (self._inside(target) or self.upload_dir.name in target):
                return True
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.hidden(scope.get("path", "")):
            await _respond(send, 404, "not found")
            return
        await self.app(scope, receive, send)


def _safe(value: object, limit: int = MAX_TEXT) -> str | int:
    """A short, encodable text for a message (lone surrogates escaped, long text cut)."""
    if isinstance(value, int):
        return value
    text = str(value).encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short_errors(errors: list[dict]) -> list[dict]:
    """Validation errors as ``{"loc", "msg", "type"}``, at most ``MAX_ERRORS``, no input."""
    out = [
        {
            "loc": [_safe(part, 60) for part in error.get("loc", ())],
            "msg": _safe(error.get("msg", "invalid")),
            "type": _safe(error.get("type", "value_error"), 60),
        }
        for error in errors[:MAX_ERRORS]
    ]
    if len(errors) > MAX_ERRORS:
        out.append({"loc": [], "msg": f"and {len(errors) - MAX_ERRORS} more errors", "type": "too_many"})
    return out


def unprocessable(msg: str, *loc: str | int) -> HTTPException:
    """A 422 for a rule the schema cannot state (an unknown viewer, ``users`` beside ``user_id``),
    in the same shape as a validation error's: ``{"detail": [{"loc", "msg", "type"}]}``."""
    return HTTPException(status_code=422, detail=short_errors([{"loc": loc or ("body",), "msg": msg}]))


async def short_validation_error(request: Request, exc: Exception) -> JSONResponse:
    """The handler for ``RequestValidationError`` (typed as any exception, as Starlette wants)."""
    errors = list(exc.errors()) if isinstance(exc, RequestValidationError) else []
    return JSONResponse(status_code=422, content={"detail": short_errors(errors)})
