"""HTTP Tasks (``arn:aws:states:::http:invoke``): a real HTTP request, answered as AWS answers it.

As the developer guide's "Call HTTPS APIs" page describes it: Parameters ``ApiEndpoint``,
``Method`` (GET, POST, PUT, DELETE, PATCH, OPTIONS, HEAD), ``Headers``, ``QueryParameters``,
``RequestBody``, ``Transform`` (``RequestBodyEncoding`` NONE or URL_ENCODED with
``RequestEncodingOptions.ArrayFormat`` BRACKETS, COMMAS, REPEAT or INDICES, the default), and the
connection in ``InvocationConfig.ConnectionArn`` or ``Authentication.ConnectionArn``, whose
authorization and invocation parameters are added to the request. The result is
``{Headers, ResponseBody, StatusCode, StatusText}`` (a JSON body parsed); a status outside 2xx
fails the task with ``States.Http.StatusCode.NNN``; headers the guide forbids are refused.
"""
from __future__ import annotations

import base64
import json
import socket
import urllib.error
import urllib.request
from http.client import responses
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from stepflow.asl.errors import ASLError
from stepflow.integrations.aws_service import parameters_of, within_limits
from stepflow.integrations.base import Integration, TaskCall, runtime_failure
from stepflow.services.connections import Connection, ConnectionProblem, Connections

HTTP_INVOKE = "arn:aws:states:::http:invoke"
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD")
MAX_SECONDS = 60  # an HTTP Task's request times out after 60 seconds
_FORBIDDEN = {
    "a-im", "accept-charset", "accept-datetime", "accept-encoding", "authorization", "cache-control",
    "connection", "content-encoding", "content-md5", "date", "expect", "forwarded", "from", "host",
    "http2-settings", "if-match", "if-modified-since", "if-none-match", "if-range", "if-unmodified-since",
    "max-forwards", "origin", "pragma", "proxy-authorization", "referer", "server", "te", "trailer",
    "transfer-encoding", "upgrade", "via", "warning",
}
_FORBIDDEN_PREFIXES = ("x-forwarded-", "x-amz-", "x-amzn-")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Answer a redirect as it is (its status becomes the task's), without following it."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _form(data: dict[str, Any], array_format: str) -> str:
    """URL_ENCODED request body, arrays written as ArrayFormat asks."""
    pairs: list[tuple[str, str]] = []
    for key, value in data.items():
        if not isinstance(value, list):
            pairs.append((key, _text(value)))
        elif array_format == "COMMAS":
            pairs.append((key, ",".join(_text(v) for v in value)))
        elif array_format == "REPEAT":
            pairs.extend((key, _text(v)) for v in value)
        elif array_format == "BRACKETS":
            pairs.extend((f"{key}[]", _text(v)) for v in value)
        else:  # INDICES
            pairs.extend((f"{key}[{i}]", _text(v)) for i, v in enumerate(value))
    return urlencode(pairs)


class HttpInvoke(Integration):
    def invoke(self, call: TaskCall) -> Any:
        return within_limits(call, lambda: self._invoke(call))

    def _invoke(self, call: TaskCall) -> Any:
        request = parameters_of(call.parameters, call.state_name, self.resource)
        where = f"state {call.state_name!r}: {HTTP_INVOKE}"
        endpoint, method = request.get("ApiEndpoint"), request.get("Method")
        if not isinstance(endpoint, str) or urlsplit(endpoint).scheme not in ("http", "https"):
            raise runtime_failure(f"{where} needs ApiEndpoint, an http(s) URL; got {endpoint!r}")
        if method not in METHODS:
            raise runtime_failure(f"{where} needs Method, one of {', '.join(METHODS)}; got {method!r}")
        connection = self._connection(request, call, where)
        headers = self._headers(request.get("Headers") or {}, where)
        query = list((request.get("QueryParameters") or {}).items())
        body = request.get("RequestBody")
        if connection is not None:
            headers.update(dict(connection.invocation_parameters("HeaderParameters")))
            query.extend(connection.invocation_parameters("QueryStringParameters"))
            extra = dict(connection.invocation_parameters("BodyParameters"))
            if extra:
                body = {**(body if isinstance(body, dict) else {}), **extra}
            headers.update(_authorization(connection))
        url = self._url(endpoint, query)
        data = self._body(body, request.get("Transform") or {}, headers)
        headers.setdefault("User-Agent", f"Amazon|StepFunctions|HttpInvoke|{call.resources.region}")
        timeout = min(call.timeout_seconds or MAX_SECONDS, MAX_SECONDS)
        return self._send(urllib.request.Request(url, data=data, headers=headers, method=method), timeout)

    @staticmethod
    def _connection(request: dict[str, Any], call: TaskCall, where: str) -> Connection | None:
        config = request.get("InvocationConfig") or request.get("Authentication") or {}
        arn = config.get("ConnectionArn") if isinstance(config, dict) else None
        if arn is None:
            return None
        try:
            return Connections(call.resources.data_root).get(arn)
        except ConnectionProblem as missing:
            raise ASLError("Events.ConnectionResource.ResourceNotFound", f"{where}: {missing.message}") from None

    @staticmethod
    def _headers(given: Any, where: str) -> dict[str, str]:
        if not isinstance(given, dict):
            raise runtime_failure(f"{where}: Headers must be an object")
        for name in given:
            lower = name.lower()
            if lower in _FORBIDDEN or lower.startswith(_FORBIDDEN_PREFIXES):
                raise runtime_failure(f"{where}: the header {name!r} cannot be set on an HTTP Task")
        return {name: ",".join(map(_text, v)) if isinstance(v, list) else _text(v) for name, v in given.items()}

    @staticmethod
    def _url(endpoint: str, query: list[tuple[str, Any]]) -> str:
        if not query:
            return endpoint
        parts = urlsplit(endpoint)
        extra = urlencode([(k, _text(v)) for k, v in query])
        return urlunsplit(parts._replace(query=f"{parts.query}&{extra}" if parts.query else extra))

    @staticmethod
    def _body(body: Any, transform: dict[str, Any], headers: dict[str, str]) -> bytes | None:
        if body is None:
            return None
        if transform.get("RequestBodyEncoding") == "URL_ENCODED" and isinstance(body, dict):
            array_format = (transform.get("RequestEncodingOptions") or {}).get("ArrayFormat", "INDICES")
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
            return _form(body, array_format).encode()
        headers.setdefault("Content-Type", "application/json; charset=UTF-8")
        return (body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))).encode()

    @staticmethod
    def _send(request: urllib.request.Request, timeout: float) -> dict[str, Any]:
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            response = opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as answered:  # a status outside 2xx is still an answer
            response = answered
        except (socket.timeout, TimeoutError):
            raise ASLError("States.Http.Socket", f"The request to {request.full_url} timed out") from None
        except (urllib.error.URLError, OSError) as failed:
            reason = getattr(failed, "reason", failed)
            raise ASLError("States.Http.Socket", f"The request to {request.full_url} failed: {reason}") from None
        with response:
            raw = response.read()
            status = response.status
            headers: dict[str, list[str]] = {}
            for name, value in response.headers.items():
                headers.setdefault(name, []).append(value)
            content_type = response.headers.get_content_type()
        text = raw.decode("utf-8", errors="replace")
        body: Any = text
        if content_type == "application/json" or content_type.endswith("+json"):
            try:
                body = json.loads(text)
            except ValueError:
                pass
        result = {"Headers": headers, "ResponseBody": body, "StatusCode": status,
                  "StatusText": responses.get(status, "")}
        if not 200 <= status < 300:
            raise ASLError(f"States.Http.StatusCode.{status}", json.dumps(result, separators=(",", ":")))
        return result


def _authorization(connection: Connection) -> dict[str, str]:
    """The header the connection's authorization adds (an OAuth token is fetched each call)."""
    params = connection.auth_parameters
    if connection.authorization_type == "API_KEY":
        key = params.get("ApiKeyAuthParameters") or {}
        return {key["ApiKeyName"]: key["ApiKeyValue"]} if key.get("ApiKeyName") else {}
    if connection.authorization_type == "BASIC":
        basic = params.get("BasicAuthParameters") or {}
        token = base64.b64encode(f"{basic.get('Username', '')}:{basic.get('Password', '')}".encode()).decode()
        return {"Authorization": f"Basic {token}"}
    oauth = params.get("OAuthParameters") or {}
    client = oauth.get("ClientParameters") or {}
    secret = base64.b64encode(f"{client.get('ClientID', '')}:{client.get('ClientSecret', '')}".encode()).decode()
    token_request = urllib.request.Request(
        oauth.get("AuthorizationEndpoint", ""), data=urlencode({"grant_type": "client_credentials"}).encode(),
        headers={"Authorization": f"Basic {secret}", "Content-Type": "application/x-www-form-urlencoded"},
        method=oauth.get("HttpMethod", "POST"),
    )
    try:
        with urllib.request.urlopen(token_request, timeout=MAX_SECONDS) as answer:
            token = json.loads(answer.read())["access_token"]
    except (OSError, ValueError, KeyError) as failed:
        raise ASLError("Events.ConnectionResource.InvalidConnectionState",
                       f"the OAuth token request of connection {connection.name!r} failed: {failed}") from None
    return {"Authorization": f"Bearer {token}"}
