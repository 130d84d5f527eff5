"""pygeoapi's Flask application as the embedded stack serves it (``gunicorn ...:APP``).

Under ``dtolab hub`` every request needs an access token (:mod:`dtolab.stack.auth`); under
``dtolab up`` this is pygeoapi's application unchanged.
"""

from pygeoapi.flask_app import APP

from . import auth

_verifier = auth.verifier_from_env()
if _verifier is not None:
    APP.wsgi_app = auth.AuthGateWSGI(APP.wsgi_app, _verifier)

__all__ = ["APP"]
