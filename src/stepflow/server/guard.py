"""The local server's door: it answers only requests meant for it, from itself or a trusted client.

A web page the user happens to visit can send requests to ``127.0.0.1`` too. Two checks stop it:
- DNS rebinding: the ``Host`` header must name this server (a loopback name and port, or the
  address it was explicitly bound to); a rebound attacker domain reaches the socket with its own
  name in ``Host`` and is refused. (Bound beyond localhost with a token, the token does this.)
- Cross-site requests: a request a browser marks as coming from another site (``Origin`` not
  the ``Host`` it was sent to, or ``Sec-Fetch-Site: cross-site``) is refused, so no page can start executions or
  upload files. (The API also needs the ``X-Amz-Target`` header, which a page can only send after a
  CORS preflight that this server never approves.)
With an access token, every request must carry it: the SigV4 access key ID of an AWS client
(``aws configure set aws_access_key_id TOKEN``), ``Authorization: Bearer TOKEN``, or for the
console the cookie that ``/?token=TOKEN`` sets.
"""
from __future__ import annotations

import hmac
import re
from http.cookies import SimpleCookie
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qs

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
COOKIE = "stepflow_token"
_SIGV4_KEY = re.compile(r"Credential=([^/,\s]+)/")

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]


class Guard:
    """ASGI middleware applying the checks above before ``app`` sees a request."""

    def __init__(self, app: ASGIApp, *, host: str, port: int, token: str | None = None) -> None:
        self.app, self.token = app, token
        self.host, self.port = host, port
        self._names = set(LOOPBACK_NAMES) | {host if ":" not in host else f"[{host}]"}

    def allowed_hosts(self) -> set[str]:
        return {f"{name}:{self.port}" for name in self._names}

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self.refusal(headers, scope)
        if refusal is not None:
            await _forbidden(send, refusal)
            return
        if self.token is not None and _query_token(scope):
            send = _with_cookie(send, self.token)  # the browser keeps it for the next pages
        await self.app(scope, receive, send)

    def refusal(self, headers: dict[str, str], scope: Scope) -> str | None:
        """Why a request is refused, or None."""
        allowed = self.allowed_hosts()
        # Beyond localhost with a token, other machines reach the server under names it cannot know;
        # the token (which a rebinding page does not have) stands in for the Host check there.
        check_host = self.token is None or self.host in LOOPBACK_NAMES or self.host in ("::1",)
        if check_host and headers.get("host", "").lower() not in allowed:
            return f"Host {headers.get('host', '')!r} is not this server (expected one of {sorted(allowed)})"
        origin = headers.get("origin")
        if origin is not None and origin.lower().removeprefix("http://") != headers.get("host", "").lower():
            return f"cross-site request from {origin} refused"
        if headers.get("sec-fetch-site") == "cross-site":
            return "cross-site request refused"
        if self.token is not None and not hmac.compare_digest(_presented_token(headers, scope), self.token):
            return "this server needs its access token"
        return None


def _presented_token(headers: dict[str, str], scope: Scope) -> str:
    authorization = headers.get("authorization", "")
    if authorization.startswith("Bearer "):
        return authorization.removeprefix("Bearer ")
    key = _SIGV4_KEY.search(authorization)
    if key:
        return key.group(1)
    query = _query_token(scope)
    if query:
        return query
    cookie = SimpleCookie(headers.get("cookie", "")).get(COOKIE)
    return cookie.value if cookie else ""


def _query_token(scope: Scope) -> str:
    return (parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token") or [""])[0]


def _with_cookie(send: Any, token: str) -> Any:
    cookie = f"{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict".encode("latin-1")

    async def sending(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie)]}
        await send(message)

    return sending


async def _forbidden(send: Any, reason: str) -> None:
    import json

    body = json.dumps({"__type": "AccessDeniedException", "message": reason}).encode()
    await send({
        "type": "http.response.start", "status": 403,
        "headers": [(b"content-type", b"application/x-amz-json-1.0"), (b"x-amzn-errortype", b"AccessDeniedException"),
                    (b"content-length", str(len(body)).encode())],
    })
    await send({"type": "http.response.body", "body": body})
