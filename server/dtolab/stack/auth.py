"""Bearer-token checks in front of the embedded STAC and processes APIs (hub mode only).

Under ``dtolab hub`` the APIs behave like EDITO's behind Keycloak: a request needs an access token
issued by the hub's OpenID Connect provider for the audience ``dtolab`` (a signed JWT, checked
against the provider's published keys: signature, issuer, audience, expiry), or the stack's own
service token (the stack's internal calls: health checks, processes reading the catalogue).
``dtolab up`` (one user, no hub) runs without the gate.

Configured by the environment of the service: ``DTOLAB_AUTH_ISSUER``, ``DTOLAB_AUTH_AUDIENCE``
(default ``dtolab``) and ``DTOLAB_SERVICE_TOKEN``.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import jwt

log = logging.getLogger("dtolab.auth")

ISSUER_ENV = "DTOLAB_AUTH_ISSUER"
AUDIENCE_ENV = "DTOLAB_AUTH_AUDIENCE"
SERVICE_TOKEN_ENV = "DTOLAB_SERVICE_TOKEN"  # noqa: S105 (a variable name, not a secret)
DEFAULT_AUDIENCE = "dtolab"


class Unauthorized(Exception):
    """No usable token; ``reason`` says why (never the token itself)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class TokenVerifier:
    """Checks ``Authorization: Bearer`` values for one issuer and audience."""

    issuer: str
    audience: str = DEFAULT_AUDIENCE
    service_token: str | None = None
    leeway: float = 5.0

    def __post_init__(self) -> None:
        self.issuer = self.issuer.rstrip("/")
        # oidc-provider and Keycloak publish their keys at the discovery document's jwks_uri;
        # PyJWKClient caches them and fetches again when a token names an unknown key id.
        self._keys = jwt.PyJWKClient(self._jwks_uri(), cache_keys=True, lifespan=3600)

    def _jwks_uri(self) -> str:
        import urllib.request

        url = f"{self.issuer}/.well-known/openid-configuration"
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (configured issuer)
            return json.load(answer)["jwks_uri"]

    def verify(self, authorization: str | None) -> str:
        """The token's subject (or "service"); Unauthorized if the header holds no valid token."""
        if not authorization:
            raise Unauthorized("this API needs an access token (Authorization: Bearer ...)")
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("the Authorization header must be 'Bearer <access token>'")
        if self.service_token and hmac.compare_digest(token, self.service_token):
            return "service"
        try:
            key = self._keys.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=["RS256", "ES256", "PS256"],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("the access token has expired") from None
        except (jwt.PyJWKClientError, jwt.InvalidTokenError) as err:
            raise Unauthorized(f"the access token is not valid ({type(err).__name__})") from None
        return str(claims["sub"])


def verifier_from_env() -> TokenVerifier | None:
    """The verifier the environment asks for, or None (no gate) when no issuer is set."""
    issuer = os.environ.get(ISSUER_ENV)
    if not issuer:
        return None
    return TokenVerifier(
        issuer,
        os.environ.get(AUDIENCE_ENV) or DEFAULT_AUDIENCE,
        os.environ.get(SERVICE_TOKEN_ENV) or None,
    )


def _refusal(reason: str) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    body = json.dumps({"code": "Unauthorized", "description": reason}).encode()
    challenge = f'Bearer realm="dtolab", error="invalid_token", error_description="{reason}"'
    headers = [
        (b"content-type", b"application/json"),
        (b"www-authenticate", challenge.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    return body, headers


class AuthGateASGI:
    """ASGI middleware: every HTTP request needs a valid token (the STAC API)."""

    def __init__(self, app: Any, verifier: TokenVerifier) -> None:
        self.app = app
        self.verifier = verifier

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers") or []).get(b"authorization")
        from starlette.concurrency import run_in_threadpool

        try:
            # In a thread: the first token (or a new key id) fetches the provider's keys.
            await run_in_threadpool(self.verifier.verify, header.decode() if header else None)
        except Unauthorized as err:
            log.info("refused %s %s: %s", scope.get("method"), scope.get("path"), err.reason)
            body, headers = _refusal(err.reason)
            await send({"type": "http.response.start", "status": 401, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


class AuthGateWSGI:
    """WSGI middleware: every request needs a valid token (pygeoapi under gunicorn)."""

    def __init__(self, app: Callable, verifier: TokenVerifier) -> None:
        self.app = app
        self.verifier = verifier

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            self.verifier.verify(environ.get("HTTP_AUTHORIZATION"))
        except Unauthorized as err:
            method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
            log.info("refused %s %s: %s", method, path, err.reason)
            body, headers = _refusal(err.reason)
            start_response("401 Unauthorized", [(k.decode(), v.decode()) for k, v in headers])
            return [body]
        return self.app(environ, start_response)
