"""Local accounts of the embedded hub's OpenID Connect provider (``hub-config/local-users.json``).

For local use only: production hubs log in against a real provider. Passwords are stored as
scrypt hashes ``scrypt:<salt hex>:<key hex>`` (N=16384, r=8, p=1, 64 bytes), the format the
provider (``hub-config/node/oidc-provider.mjs``) checks.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from pathlib import Path
from typing import Any

from ..stack.errors import StackError


def hash_password(password: str, salt: bytes | None = None) -> str:
    """The stored form of ``password``."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=16384, r=8, p=1, dklen=64)
    return f"scrypt:{salt.hex()}:{key.hex()}"


def user_entry(username: str, password: str, groups: list[str], name: str = "") -> dict[str, Any]:
    """One account as the users file holds it."""
    return {
        "username": username,
        "name": name or username,
        "email": f"{username}@localhost",
        "groups": groups,
        "password_scrypt": hash_password(password),
    }


def read_users(path: Path) -> list[dict[str, Any]]:
    """The accounts of a users file, checked (a clear error names what is wrong)."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise StackError(f"the users file {path} does not exist") from None
    except ValueError as err:
        raise StackError(f"the users file {path} is not valid JSON: {err}") from None
    users = data.get("users") if isinstance(data, dict) else None
    if not isinstance(users, list) or not users:
        raise StackError(f'{path}: expected {{"users": [...]}} with at least one user')
    for i, user in enumerate(users):
        for key in ("username", "password_scrypt"):
            if not isinstance(user, dict) or not isinstance(user.get(key), str):
                raise StackError(f"{path}: users[{i}].{key} is missing")
        if not user["password_scrypt"].startswith("scrypt:"):
            raise StackError(f"{path}: users[{i}].password_scrypt is not a scrypt hash")
    return users
