"""A throwaway PostgreSQL cluster for the tests: ``initdb`` in a temporary folder, started on a free
local port with ``pg_ctl``, removed at the end. As root (CI, this machine) it runs as the
``postgres`` user, since PostgreSQL refuses to run as root.

``PEER_CIRCLES_TEST_DATABASE=postgresql`` runs the whole suite on it (tests/conftest.py); without
PostgreSQL installed, the tests that need it skip with ``why_missing()``'s one-line reason.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

ENV = "PEER_CIRCLES_TEST_DATABASE"


def wanted() -> bool:
    return os.environ.get(ENV, "").strip().lower() in ("postgresql", "postgres", "pg")


def _bin_dir() -> Path | None:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if versions:  # Debian's packages: every tool in one folder
        return versions[-1].parent
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def why_missing() -> str | None:
    """Why a cluster cannot be started here (one line), or None when it can."""
    if _bin_dir() is None:
        return "PostgreSQL is not installed (apt-get install postgresql): PostgreSQL tests skipped"
    try:
        import asyncpg  # noqa: F401
    except ImportError:
        return "asyncpg is not installed (pip install -e '.[postgres]'): PostgreSQL tests skipped"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a 'postgres' user to run PostgreSQL as: PostgreSQL tests skipped"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    folder: Path
    port: int
    bin: Path
    as_user: list[str]
    database: str = "peer_circles_tests"
    _schemas: int = 0

    def url(self, schema: str | None = None) -> str:
        base = f"postgresql://postgres@127.0.0.1:{self.port}/{self.database}"
        return base if schema is None else f"{base}?search_path={schema}"

    def psql(self, sql: str, database: str | None = None) -> None:
        subprocess.run(
            [str(self.bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port),
             "-U", "postgres", "-d", database or self.database, "-c", sql],
            check=True, capture_output=True,
        )

    def new_schema(self) -> str:
        """An empty schema (a fresh 'database file' for one test's path)."""
        self._schemas += 1
        name = f"t{os.getpid()}_{self._schemas}"
        self.psql(f"CREATE SCHEMA {name}")
        return name

    def stop(self) -> None:
        subprocess.run([*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate",
                        "-w", "stop"], capture_output=True, check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> Cluster:
    bin_dir = _bin_dir()
    assert bin_dir is not None, why_missing()
    folder = Path(tempfile.mkdtemp(prefix="peer-circles-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"
    subprocess.run([*as_user, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                    "--no-locale", "-E", "UTF8"], check=True, capture_output=True)
    port = _free_port()
    # Durability off: a test cluster lives for one run.
    options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
               " -c full_page_writes=off -c max_connections=200")
    subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"),
                    "-w", "start"], check=True, capture_output=True)
    cluster = Cluster(folder, port, bin_dir, as_user)
    try:
        cluster.psql(f"CREATE DATABASE {cluster.database}", database="postgres")
    except BaseException:
        cluster.stop()
        raise
    return cluster
