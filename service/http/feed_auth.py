"""Who may read the pull feed: EPJ systems with OAuth2 client-credentials access tokens.

The EPJ gets its token from the configured identity provider (e.g. HelseID, client
authentication `private_key_jwt`) and sends it as a bearer token. Dikta verifies it with the
same checks as every other JWT it accepts (service/http/oidc.py: signature against the IdP's
JWKS, issuer, audience, expiry, lifetime, issued-at), then:

- the client: the token's `client_id` claim, mapped to a tenant by configuration
  (`feed.clients`); a client not listed is refused — a token never names its own tenant;
- the scopes: reading needs the read scope of the resource type; acknowledging needs the
  acknowledge scope. Dikta's own API scopes mean nothing here, nor do these scopes on /v1.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.core.errors import Problem
from service.core.state import ServiceState
from service.http.deps import Principal
from service.http.oidc import FetchedJwks, OidcVerifier, TokenError

log = logging.getLogger("dikta.feed")
CLIENT_CLAIM = "client_id"

_bearer = HTTPBearer(auto_error=False, scheme_name="EpjAccessToken",
                     description="OAuth2 client-credentials access token (JWT) of the "
                                 "configured identity provider")


def feed_verifier(settings) -> OidcVerifier | None:
    """The verifier of the feed's access tokens, or None when no IdP is configured."""
    feed = settings.feed
    if not feed.issuer:
        return None
    if feed.jwks_file is not None:
        source = feed.jwks_file
    elif feed.jwks_url and feed.jwks_host:
        source = FetchedJwks(feed.jwks_url, feed.jwks_host, cache_s=feed.jwks_cache_s)
    else:
        raise ValueError("feed.issuer needs feed.jwks_file, or feed.jwks_url with "
                         "feed.jwks_host")
    return OidcVerifier(source, feed.issuer, feed.audience, tenant_claim=CLIENT_CLAIM,
                        leeway_s=feed.leeway_s, max_lifetime_s=feed.max_token_lifetime_s,
                        max_token_chars=settings.service.max_authorization_bytes)


def _unauthorized(detail: str) -> Problem:
    return Problem(401, "Unauthorized", detail, kind="unauthorized",
                   headers={"WWW-Authenticate": 'Bearer realm="dikta-fhir"'})


def epj_client(request: Request,
               bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
               ) -> Principal:
    """The EPJ client behind the access token, as the tenant it is configured for."""
    state: ServiceState = request.app.state.dikta
    verifier: OidcVerifier | None = state.feed_tokens
    address = request.client.host if request.client else None
    if state.auth_failures is not None:
        state.auth_failures.check(address and f"addr:{address}", None)
    try:
        if verifier is None:
            raise _unauthorized("this server has no identity provider configured for the "
                                "feed")
        if bearer is None:
            raise _unauthorized("an access token is required (Authorization: Bearer)")
        try:
            claims = verifier.verify(bearer.credentials)
        except TokenError as exc:
            raise _unauthorized(str(exc)) from None
        except (ValueError, TypeError, KeyError):  # never a 500 for a token
            log.warning("feed token refused by an unexpected error", exc_info=True)
            raise _unauthorized("token could not be verified") from None
        tenant_name = state.settings.feed.clients.get(claims.tenant)
        tenant = state.store.tenant_by_name(tenant_name) if tenant_name else None
        if tenant is None:
            raise _unauthorized("this client is not registered for the feed")
    except Problem:
        if state.auth_failures is not None:
            state.auth_failures.failed(address and f"addr:{address}", None)
        raise
    principal = Principal(tenant.id, tenant.name, f"epj:{claims.tenant}", claims.scopes)
    request.state.principal = principal  # the audit's actor
    state.limiter.check(principal.actor)
    return principal


EpjClientDep = Annotated[Principal, Depends(epj_client)]


def require_epj_scope(name: str):
    """A dependency: the EPJ's token must carry the scope configured under `feed.<name>`."""
    def check(request: Request, client: EpjClientDep) -> Principal:
        scope = getattr(request.app.state.dikta.settings.feed, name)
        if scope not in client.scopes:
            raise Problem(403, "Forbidden", f"the access token lacks the '{scope}' scope",
                          kind="forbidden")
        return client
    return Depends(check)
