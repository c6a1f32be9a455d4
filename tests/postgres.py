"""A real PostgreSQL server for the tests: a throwaway cluster, or the one the environment names.

`PostgresServer.from_environment` uses the server at ``FLYWHEEL_TEST_POSTGRES_URL`` when it is
set (its user must be allowed to create databases); otherwise it starts a cluster of its own:
``initdb`` into a temporary folder (as the ``postgres`` user when running as root, since the
server refuses to run as root), trust authentication, English collation (ICU ``en-US``, as
production servers usually sort), ``pg_ctl start`` on a free 127.0.0.1 port with the unix
socket in that folder, timestamps shown in a zone far from UTC, and durability turned off,
because nothing in it needs to survive. `PostgresServer.stop` stops it and removes the
folder; a watchdog process does the same if the test process is killed first.

Each test gets its own database (`PostgresServer.database`), reachable over TCP, so
``flywheel-sync`` subprocesses can share it. Raises `PostgresUnavailable`, saying what to
do, when neither is possible; ``scripts/ensure-postgres`` installs the server binaries in CI.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

__all__ = [
    "POSTGRES_URL_VARIABLE",
    "SKIP_POSTGRES_VARIABLE",
    "PostgresServer",
    "PostgresUnavailable",
    "find_server_binaries",
]

POSTGRES_URL_VARIABLE = "FLYWHEEL_TEST_POSTGRES_URL"
"""A server to use instead of a throwaway one, e.g. ``postgresql://me:pw@db:5432/postgres``."""
SKIP_POSTGRES_VARIABLE = "FLYWHEEL_SKIP_POSTGRES"
"""Set to ``1`` to skip, rather than fail, the PostgreSQL tests when no server is available."""

SUPERUSER = "flywheel"
"""The throwaway cluster's superuser (trust authentication: no password)."""

_SERVER_USER = "postgres"  # who runs initdb and the server when the tests run as root
_BIN_GLOB = "/usr/lib/postgresql/*/bin"  # where Debian's postgresql package puts them
_START_ATTEMPTS = 3  # a free port can be taken between choosing it and the server binding it
_TIMEOUT = 60  # seconds for initdb and pg_ctl; each takes about one
_FILE_COPY_SINCE = 150000  # server_version of PostgreSQL 15, whose CREATE DATABASE has STRATEGY
# Production servers usually sort text by an English locale, not byte by byte as SQLite does:
# the tests see that order too, so nothing can come to depend on byte order unnoticed. ICU
# needs no operating-system locale (PostgreSQL 15 and later).
_ENGLISH_COLLATION = ("--locale=C.UTF-8", "--locale-provider=icu", "--icu-locale=en-US")
# Arguments: the test process id, the cluster's folder, then the command that stops the server.
_WATCHDOG = """
parent=$1; folder=$2; shift 2
while kill -0 "$parent" 2>/dev/null; do sleep 1; done
"$@"; rm -rf "$folder"
"""
_SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    # Nothing in the cluster needs to survive a crash: skip the work that would make it.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    # A server in a zone far from UTC, with a 45-minute offset: sessions read timestamps in
    # it, so a value the store fails to convert to UTC shows up as a wrong instant.
    "timezone": "Pacific/Chatham",
}


class PostgresUnavailable(Exception):
    """No PostgreSQL server could be used; the message says how to provide one."""


def find_server_binaries() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``: on ``PATH``, else Debian's newest, else None."""
    on_path = shutil.which("initdb")
    if on_path is not None:
        return Path(on_path).resolve().parent
    versions = sorted(
        (
            folder
            for folder in Path("/").glob(_BIN_GLOB.lstrip("/"))
            if (folder / "initdb").is_file()
        ),
        key=lambda folder: _version_key(folder.parent.name),
    )
    return versions[-1] if versions else None


@dataclass(kw_only=True)
class PostgresServer:
    """A PostgreSQL server the tests may create and drop databases on.

    Attributes:
        admin_url: The maintenance database, as a superuser (or a user with CREATEDB).
    """

    admin_url: URL
    _cluster: _Cluster | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> PostgresServer:
        """The server ``FLYWHEEL_TEST_POSTGRES_URL`` names, or a throwaway one started now.

        Raises:
            PostgresUnavailable: The URL is unusable, or no server binaries were found or the
                cluster did not start.
        """
        url = environ.get(POSTGRES_URL_VARIABLE, "").strip()
        if url:
            return cls.external(url)
        return cls.start()

    @classmethod
    def external(cls, url: str) -> PostgresServer:
        """Use an already running server; its databases are created and dropped, nothing else.

        Raises:
            PostgresUnavailable: The URL is not a PostgreSQL URL or the server cannot be reached.
        """
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise PostgresUnavailable(f"{POSTGRES_URL_VARIABLE} is not a URL: {exc}") from exc
        if parsed.get_backend_name() != "postgresql":
            raise PostgresUnavailable(
                f"{POSTGRES_URL_VARIABLE} must be a postgresql:// URL, got {parsed.drivername!r}"
            )
        server = cls(admin_url=parsed.set(drivername="postgresql"))
        server._check_reachable(f"the server at {POSTGRES_URL_VARIABLE}")
        return server

    @classmethod
    def start(cls) -> PostgresServer:
        """Start a throwaway cluster on a free 127.0.0.1 port; `stop` removes it.

        Raises:
            PostgresUnavailable: No ``initdb`` was found, or the cluster did not start.
        """
        cluster = _Cluster.create()
        server = cls(
            admin_url=URL.create(
                "postgresql",
                username=SUPERUSER,
                host="127.0.0.1",
                port=cluster.port,
                database="postgres",
            ),
            _cluster=cluster,
        )
        atexit.register(server.stop)  # also when the session is interrupted
        server._check_reachable("the throwaway cluster")
        return server

    def create_database(self, *, template: str | None = None) -> str:
        """Create a database with a unique name; returns its ``postgresql://`` URL.

        Args:
            template: Copy this database (nobody may be connected to it), else start empty.
        """
        name = f"test_{uuid.uuid4().hex[:12]}"
        create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        with self._admin() as connection:
            if template is not None:
                create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
                if connection.info.server_version >= _FILE_COPY_SINCE:
                    create += sql.SQL(" STRATEGY FILE_COPY")  # a small database: faster
            connection.execute(create)
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def drop_database(self, url: str) -> None:
        """Drop the database of ``url``, ending any connection a test left open to it."""
        name = make_url(url).database
        if not name or not name.startswith("test_"):
            raise ValueError(f"refusing to drop {name!r}: not a database the tests created")
        with self._admin() as connection:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))

    @contextlib.contextmanager
    def database(self, *, template: str | None = None) -> Iterator[str]:
        """A fresh database's URL for the block (see `create_database`), dropped afterwards."""
        url = self.create_database(template=template)
        try:
            yield url
        finally:
            self.drop_database(url)

    def stop(self) -> None:
        """Stop a throwaway cluster and remove its folder (an external server is left alone)."""
        cluster, self._cluster = self._cluster, None
        if cluster is not None:
            cluster.remove()

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        url = self.admin_url
        return psycopg.connect(
            host=url.host,
            port=url.port,
            user=url.username,
            password=url.password if url.password is None else str(url.password),
            dbname=url.database or "postgres",
            autocommit=True,  # CREATE and DROP DATABASE refuse to run in a transaction
            connect_timeout=10,
        )

    def _check_reachable(self, what: str) -> None:
        try:
            with self._admin() as connection:
                connection.execute("SELECT 1")
        except psycopg.Error as exc:
            self.stop()
            shown = self.admin_url.render_as_string(hide_password=True)
            raise PostgresUnavailable(f"cannot connect to {what} ({shown}): {exc}") from exc


@dataclass(kw_only=True)
class _Cluster:
    """A cluster in a temporary folder: data, socket and log, all removed together."""

    folder: Path
    binaries: Path
    run_as: Sequence[str]  # the command prefix that runs a program as the cluster's owner
    port: int = 0  # 0 until the server runs
    watchdog: subprocess.Popen[bytes] | None = None

    @classmethod
    def create(cls) -> _Cluster:
        binaries = find_server_binaries()
        if binaries is None:
            raise PostgresUnavailable(
                "no PostgreSQL server found: initdb is neither on PATH nor in "
                f"{_BIN_GLOB}; run scripts/ensure-postgres (as root on Debian it installs the "
                f"'postgresql' package), set {POSTGRES_URL_VARIABLE} to a server the tests may "
                f"create databases on, or set {SKIP_POSTGRES_VARIABLE}=1 to skip these tests"
            )
        # /tmp: short enough for the socket's path, and reachable by the postgres user.
        scratch = "/tmp" if Path("/tmp").is_dir() else None
        folder = Path(tempfile.mkdtemp(prefix="flywheel-pg-", dir=scratch))
        cluster = cls(folder=folder, binaries=binaries, run_as=())
        try:
            cluster.run_as = _owner_prefix(folder)
            cluster.initdb()
            cluster.start()
        except BaseException:
            cluster.remove()
            raise
        return cluster

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def initdb(self) -> None:
        """Create the cluster, sorting text as English does where the server can (see below)."""
        common = (
            f"--pgdata={self.data}",
            f"--username={SUPERUSER}",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
            "--no-instructions",
        )
        try:
            self.run("initdb", *common, *_ENGLISH_COLLATION)
        except PostgresUnavailable:  # before PostgreSQL 15, or built without ICU
            shutil.rmtree(self.data, ignore_errors=True)
            self.run("initdb", *common, "--locale=C")

    def start(self) -> None:
        """Start the server on a free port (retrying if the port is taken meanwhile)."""
        failure = ""
        for _ in range(_START_ATTEMPTS):
            port = _free_port()
            try:
                self.run("pg_ctl", "start", "--wait", "--silent", *self._server_options(port))
            except PostgresUnavailable as exc:
                failure = str(exc)
                continue
            self.port = port
            self.watchdog = self._watch(os.getpid())
            return
        raise PostgresUnavailable(f"{failure}\nserver log:\n{self._log_tail()}")

    def remove(self) -> None:
        if self.port:
            with contextlib.suppress(PostgresUnavailable):
                self.run("pg_ctl", "stop", *self._stop_options())
            self.port = 0
        shutil.rmtree(self.folder, ignore_errors=True)
        if self.watchdog is not None:
            self.watchdog.kill()
            self.watchdog.wait()
            self.watchdog = None

    def _server_options(self, port: int) -> list[str]:
        settings = {
            **_SERVER_SETTINGS,
            "port": str(port),
            "unix_socket_directories": str(self.folder),  # never the system's /var/run
        }
        options = " ".join(f"-c {name}={value}" for name, value in settings.items())
        return ["-D", str(self.data), "-l", str(self.log), "-o", options]

    def _stop_options(self) -> list[str]:
        return ["--wait", "--silent", "-m", "immediate", "-D", str(self.data)]

    def _watch(self, test_process: int) -> subprocess.Popen[bytes]:
        """Stop and remove the cluster if the test process dies without doing it (SIGKILL)."""
        stop = [*self.run_as, str(self.binaries / "pg_ctl"), "stop", *self._stop_options()]
        return subprocess.Popen(
            ["/bin/sh", "-c", _WATCHDOG, "watchdog", str(test_process), str(self.folder), *stop],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # outlives a signal sent to the test run's process group
        )

    def run(self, program: str, *args: str) -> None:
        command = [*self.run_as, str(self.binaries / program), *args]
        try:
            subprocess.run(
                command, check=True, capture_output=True, text=True, timeout=_TIMEOUT, cwd="/"
            )
        except subprocess.CalledProcessError as exc:
            output = (exc.stderr or exc.stdout or "").strip()
            raise PostgresUnavailable(
                f"{program} failed (exit {exc.returncode}): {output}"
            ) from exc
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PostgresUnavailable(f"{program} could not run: {exc}") from exc

    def _log_tail(self) -> str:
        try:
            return "\n".join(self.log.read_text(encoding="utf-8").splitlines()[-20:])
        except OSError:
            return "(no log)"


def _owner_prefix(folder: Path) -> list[str]:
    """Run as ourselves, or, as root, as the ``postgres`` user owning ``folder``."""
    if os.geteuid() != 0:
        return []
    try:
        owner = pwd.getpwnam(_SERVER_USER)
    except KeyError:
        raise PostgresUnavailable(
            f"running as root, but there is no {_SERVER_USER!r} user to run initdb and the "
            "server as (PostgreSQL refuses root); install the 'postgresql' package, which "
            "creates it, or run the tests as another user"
        ) from None
    os.chown(folder, owner.pw_uid, owner.pw_gid)
    runuser = shutil.which("runuser") or "runuser"
    return [runuser, "-u", _SERVER_USER, "--"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())
