"""The hub's authenticator: oauthenticator's GenericOAuthenticator, renewing tokens ahead of time.

GenericOAuthenticator renews an access token only once the provider has refused it, which is
too late for a lab that hands the token to APIs. This subclass records when the token expires
(``expires_at``) and when it should be renewed (``refresh_at``, once two thirds of its lifetime
have passed) in the encrypted ``auth_state``, and renews it with the refresh token at the first
``refresh_user`` after ``refresh_at``. The labs read the same ``refresh_at`` to know how long
their cached copy is good for (:mod:`dtolab.client.tokens`).
"""

from __future__ import annotations

import time
from typing import Any

from oauthenticator.generic import GenericOAuthenticator
from tornado.httpclient import HTTPClientError
from traitlets import Float


class DtolabOAuthenticator(GenericOAuthenticator):
    """GenericOAuthenticator that renews access tokens before they expire.

    Example (``hub-config/config.d/20-authenticator.py`` sets all of this from the environment)::

        c.JupyterHub.authenticator_class = "dtolab.hub.auth.DtolabOAuthenticator"
        c.DtolabOAuthenticator.renew_after = 2 / 3
    """

    renew_after = Float(
        2 / 3,
        config=True,
        help="Renew an access token once this fraction of its lifetime has passed "
        "(the provider's expires_in). Default: 2/3.",
    )

    def build_auth_state_dict(self, token_info: dict, user_info: dict) -> dict[str, Any]:
        state = super().build_auth_state_dict(token_info, user_info)
        lifetime = token_info.get("expires_in")
        if lifetime:
            now = time.time()
            state["expires_at"] = now + float(lifetime)
            state["refresh_at"] = now + self.renew_after * float(lifetime)
        return state

    async def refresh_user(self, user: Any, handler: Any = None, **kwargs: Any) -> Any:
        if not self.enable_auth_state:
            return True
        state = await user.get_auth_state()
        if not state:
            return False  # no token to hand to the APIs: log in again
        refresh_at = state.get("refresh_at")
        if refresh_at is not None and time.time() < float(refresh_at):
            return True  # still fresh: nothing to ask the provider
        refresh_token = state.get("refresh_token")
        if not refresh_token:
            return await super().refresh_user(user, handler, **kwargs)
        params = self.build_refresh_token_request_params(refresh_token)
        try:
            token_info = await self.get_token_info(handler, params)
        except HTTPClientError as err:
            # Refresh token revoked or expired (the provider says 400/401): log in again.
            self.log.info("Renewing the token of %s failed (%s); login needed", user.name, err.code)
            return False
        # A provider may keep the refresh token unchanged and not send it again.
        if not token_info.get("refresh_token"):
            token_info["refresh_token"] = refresh_token
        self.log.info("Renewed the access token of %s", user.name)
        # Same path as a login: user info, groups and admin status are re-read from the tokens.
        return await self._token_to_auth_model(token_info)
