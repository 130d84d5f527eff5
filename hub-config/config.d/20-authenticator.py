# Login: OpenID Connect against any provider (EGI Check-in, EDITO's Keycloak, or the embedded
# hub's local provider), with roles from a groups claim and the tokens kept in auth_state.
import json
import urllib.request

from dtolab.hub.settings import setting, setting_list

c = get_config()  # noqa: F821 (JupyterHub defines it)

issuer = setting("DTOLAB_OIDC_ISSUER").rstrip("/")
# The provider's endpoints from its discovery document (read once, when the hub starts).
with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=30) as answer:  # noqa: S310
    discovery = json.load(answer)

c.JupyterHub.authenticator_class = "dtolab.hub.auth.DtolabOAuthenticator"
auth = c.DtolabOAuthenticator
auth.login_service = setting("DTOLAB_OIDC_NAME", "dtolab sign-in")
auth.client_id = setting("DTOLAB_OIDC_CLIENT_ID")
auth.client_secret = setting("DTOLAB_OIDC_CLIENT_SECRET")
# The redirect URI registered at the provider (default: /hub/oauth_callback on the URL in use).
if setting("DTOLAB_OIDC_CALLBACK_URL", ""):
    auth.oauth_callback_url = setting("DTOLAB_OIDC_CALLBACK_URL")
auth.authorize_url = discovery["authorization_endpoint"]
auth.token_url = discovery["token_endpoint"]
# "api" asks for an access token the dtolab APIs accept (audience "dtolab" on the local provider).
auth.scope = setting_list("DTOLAB_OIDC_SCOPES", "openid profile email groups api")
# The user's identity comes from the ID token (OpenID Connect), so the access token can be one
# meant for the APIs (a provider may refuse such a token at its userinfo endpoint).
auth.userdata_from_id_token = True
auth.username_claim = setting("DTOLAB_OIDC_USERNAME_CLAIM", "preferred_username")

# Roles from the groups claim: administrators, and users; anyone in neither group is refused.
auth.manage_groups = True
auth.auth_state_groups_key = "oauth_user." + setting("DTOLAB_OIDC_GROUPS_CLAIM", "groups")
auth.admin_groups = set(setting_list("DTOLAB_HUB_ADMIN_GROUPS", "dtolab-admins"))
auth.allowed_groups = set(setting_list("DTOLAB_HUB_USER_GROUPS", "dtolab-users"))

# Tokens are kept, encrypted with $JUPYTERHUB_CRYPT_KEY (the hub refuses to start without it),
# renewed ahead of expiry, and checked before every spawn.
auth.enable_auth_state = True
auth.refresh_pre_spawn = True
auth.auth_refresh_age = int(setting("DTOLAB_HUB_AUTH_REFRESH_AGE", "60"))
auth.renew_after = float(setting("DTOLAB_HUB_TOKEN_RENEW_AFTER", str(2 / 3)))

# Logging out of the hub also ends the session at the provider.
if discovery.get("end_session_endpoint"):
    auth.logout_redirect_url = discovery["end_session_endpoint"]
