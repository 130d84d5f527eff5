"""A private PostgreSQL + PostGIS cluster for the stack, and the pgstac schema in it."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
from pathlib import Path

from .errors import StackError
from .state import StateDir

DATABASE = "dtolab"
SUPERUSER = "postgres"
INSTALL_HINT = (
    "install PostgreSQL 15 with PostGIS: "
    "apt-get install postgresql-15 postgresql-15-postgis-3 (or run `make install`)"
)


def bindir() -> Path:
    """The directory of the newest installed PostgreSQL server binaries."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4])
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("postgres")
    if on_path:
        return Path(on_path).resolve().parent
    raise StackError(f"PostgreSQL server binaries not found; {INSTALL_HINT}")


def check_postgis(bin_dir: Path) -> None:
    major = bin_dir.parent.name
    control = Path(f"/usr/share/postgresql/{major}/extension/postgis.control")
    if not control.exists():
        raise StackError(f"PostGIS for PostgreSQL {major} is not installed; {INSTALL_HINT}")


def run_as() -> str | None:
    """The account PostgreSQL runs as: ourselves, or (as root, which it refuses) ``postgres``."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise StackError(
            "running as root, PostgreSQL needs an unprivileged 'postgres' account; "
            "create one (useradd --system postgres) or run dtolab as a normal user"
        ) from None
    return "postgres"


def _check_reachable(path: Path, user: str) -> None:
    """Fail early, and clearly, if ``user`` cannot enter every folder above ``path``."""
    account = pwd.getpwnam(user)
    for parent in reversed(path.parents):
        if not parent.exists():
            break  # we create the rest, owned by the database user
        st = parent.stat()
        if st.st_uid == account.pw_uid:
            continue
        if not st.st_mode & 0o001:
            raise StackError(
                f"the state directory {path} is below {parent}, which the '{user}' account "
                "cannot enter; choose another with --state-dir (for example under /var/lib or /tmp)"
            )


def prepare(state: StateDir, password: str) -> None:
    """Create the cluster on first use (initdb with password authentication)."""
    bin_dir = bindir()
    check_postgis(bin_dir)
    user = run_as()
    if user:
        _check_reachable(state.pg_data, user)
    account = pwd.getpwnam(user) if user else None
    for path in (state.pg_data.parent, state.pg_run):
        path.mkdir(parents=True, exist_ok=True)
        if account:
            os.chown(path, account.pw_uid, account.pw_gid)
    if (state.pg_data / "PG_VERSION").exists():
        return
    state.pg_data.mkdir(mode=0o700, exist_ok=True)
    pwfile = state.pg_data.parent / "pwfile"
    pwfile.write_text(password + "\n")
    if account:
        os.chown(state.pg_data, account.pw_uid, account.pw_gid)
        os.chown(pwfile, account.pw_uid, account.pw_gid)
    pwfile.chmod(0o600)
    argv = [
        str(bin_dir / "initdb"),
        "-D",
        str(state.pg_data),
        "-U",
        SUPERUSER,
        "--auth=scram-sha-256",
        f"--pwfile={pwfile}",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
    ]
    if user:
        argv = ["runuser", "-u", user, "--", *argv]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    pwfile.unlink()
    if result.returncode != 0:
        shutil.rmtree(state.pg_data, ignore_errors=True)
        raise StackError(f"initdb failed: {result.stderr.strip() or result.stdout.strip()}")


def server_argv(state: StateDir, port: int) -> list[str]:
    return [
        str(bindir() / "postgres"),
        "-D",
        str(state.pg_data),
        "-p",
        str(port),
        "-k",
        str(state.pg_run),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "unix_socket_permissions=0700",
        "-c",
        "fsync=on",
        "-c",
        "shared_buffers=128MB",
    ]


def dsn(port: int, password: str, database: str = DATABASE) -> str:
    return f"postgresql://{SUPERUSER}:{password}@127.0.0.1:{port}/{database}"


def ensure_database(port: int, password: str) -> None:
    """Create the ``dtolab`` database with PostGIS, then bring pgstac up to date (idempotent)."""
    import psycopg
    from pypgstac.db import PgstacDB
    from pypgstac.migrate import Migrate

    with psycopg.connect(dsn(port, password, "postgres"), autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    with psycopg.connect(dsn(port, password), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    with PgstacDB(dsn=dsn(port, password)) as db:
        Migrate(db).run_migration()
