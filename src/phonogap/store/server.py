"""Application layer: a local MongoDB-protocol server (SecantusDB) for store and launchpad.

``phonogap db start`` runs ``secantusd-py`` as a separate process bound to 127.0.0.1, with its
data, pid file, log and a ``server.json`` state file in one directory (default
``~/.phonogap/server``, or ``$PHONOGAP_SERVER_DIR``). It also writes ``jobflow.yaml`` (MongoDB
documents + GridFS data) and ``my_launchpad.yaml`` there, so ``--store`` and ``lpad -l`` can
point at the running server, and creates the indexes jobflow and FireWorks query by.
``phonogap db stop`` stops it by pid; ``phonogap db status`` reports it.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from phonogap.errors import PhonogapError

logger = logging.getLogger(__name__)

DEFAULT_SERVER_DIR = Path("~/.phonogap/server")
SERVER_DIR_VARIABLE = "PHONOGAP_SERVER_DIR"
SERVER_EXECUTABLE = "secantusd-py"
SERVER_INSTALL = 'python3 -m pip install "phonogap[server]"'
"""What to install for ``phonogap db start`` (the ``server`` extra: SecantusDB)."""
DATABASE_NAME = "phonogap"
DOCS_COLLECTION = "outputs"
DATA_COLLECTION = "outputs_data"
LAUNCHPAD_DATABASE = "fireworks"


class ServerError(PhonogapError, RuntimeError):
    """Raised when the local server cannot be started, found or stopped."""


@dataclass
class ServerInfo:
    """Where a running local server listens and keeps its files."""

    host: str
    port: int
    pid: int
    server_dir: str

    @property
    def uri(self) -> str:
        """Return the ``mongodb://`` URI of the server."""
        return f"mongodb://{self.host}:{self.port}"


def server_dir(directory: str | Path | None = None) -> Path:
    """Resolve the server directory (argument, ``$PHONOGAP_SERVER_DIR`` or the default).

    Parameters
    ----------
    directory
        Explicit directory.

    Returns
    -------
    Path
        Absolute directory path.
    """
    chosen = directory or os.environ.get(SERVER_DIR_VARIABLE) or DEFAULT_SERVER_DIR
    return Path(chosen).expanduser().resolve()


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free on ``host`` right now.

    Parameters
    ----------
    host
        Interface to bind.

    Returns
    -------
    int
        The port number.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child of this process counts as gone
        waited, _ = os.waitpid(pid, os.WNOHANG)
        return waited == 0
    except ChildProcessError:
        return True


def _ping(host: str, port: int, timeout_s: float = 1.0) -> bool:
    import pymongo
    from pymongo.errors import PyMongoError

    client = pymongo.MongoClient(
        host, port, serverSelectionTimeoutMS=int(timeout_s * 1000), connect=False
    )
    try:
        client.admin.command("ping")
        return True
    except PyMongoError:
        return False
    finally:
        client.close()


def _previous_port(directory: Path, host: str) -> int | None:
    """Return the port of this directory's last server if it is free again (stable configs)."""
    try:
        port = int((directory / "port").read_text())
    except (OSError, ValueError):
        return None
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # the last server's connections may linger in TIME_WAIT; a listener still fails
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return None
    return port


def create_indexes(uri: str, database: str = DATABASE_NAME) -> None:
    """Create the indexes jobflow queries by (``uuid``, ``name``, ``blob_uuid`` ...).

    Without them every ``get_output`` scans the whole collection.

    Parameters
    ----------
    uri
        ``mongodb://host:port``.
    database
        Database of the JobStore collections.
    """
    import pymongo

    client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=10_000)
    try:
        docs = client[database][DOCS_COLLECTION]
        for key in ("uuid", "name", "completed_at", "hosts", "metadata.campaign"):
            docs.create_index(key)
        docs.create_index([("uuid", 1), ("index", -1)])
        client[database][f"{DATA_COLLECTION}.files"].create_index("metadata.blob_uuid")
        client[database][f"{DATA_COLLECTION}.files"].create_index("metadata.job_uuid")
    finally:
        client.close()


def _write_client_files(info: ServerInfo) -> None:
    directory = Path(info.server_dir)
    common = {"host": info.host, "port": info.port, "database": DATABASE_NAME}
    jobflow_config = {
        "JOB_STORE": {
            "docs_store": {"type": "MongoStore", "collection_name": DOCS_COLLECTION, **common},
            "additional_stores": {
                "data": {"type": "GridFSStore", "collection_name": DATA_COLLECTION, **common}
            },
        }
    }
    launchpad = {"host": info.host, "port": info.port, "name": LAUNCHPAD_DATABASE}
    header = "# written by `phonogap db start`; valid while that server runs\n"
    (directory / "jobflow.yaml").write_text(header + yaml.safe_dump(jobflow_config))
    (directory / "my_launchpad.yaml").write_text(header + yaml.safe_dump(launchpad))


def server_status(directory: str | Path | None = None) -> ServerInfo | None:
    """Return the running server of a directory, or ``None``.

    A stale state file (process gone) is removed.

    Parameters
    ----------
    directory
        Server directory.

    Returns
    -------
    ServerInfo or None
        The server if its process is alive.
    """
    state = server_dir(directory) / "server.json"
    if not state.is_file():
        return None
    info = ServerInfo(**json.loads(state.read_text()))
    if not _pid_alive(info.pid):
        logger.info("removing stale state of server pid %d in %s", info.pid, state.parent)
        state.unlink(missing_ok=True)
        (state.parent / "secantusd.pid").unlink(missing_ok=True)
        return None
    return info


def start_server(
    directory: str | Path | None = None,
    port: int | None = None,
    host: str = "127.0.0.1",
    cache_size: str = "256M",
    timeout_s: float = 60.0,
) -> ServerInfo:
    """Start SecantusDB in the background (or return the one already running there).

    Parameters
    ----------
    directory
        Server directory: ``data/`` (WiredTiger), ``secantusd.pid``, ``secantusd.log``,
        ``server.json``, ``jobflow.yaml``, ``my_launchpad.yaml``.
    port
        TCP port (default: the previous server's of this directory if free, so the written
        ``jobflow.yaml`` and Fireworks submitted with it stay valid; else a free one).
    host
        Interface; keep the loopback unless workers on other machines must connect.
    cache_size
        WiredTiger cache, e.g. ``"256M"``.
    timeout_s
        How long to wait for the server to answer.

    Returns
    -------
    ServerInfo
        The running server.

    Raises
    ------
    ServerError
        If ``secantusd-py`` is not installed or the server does not come up.
    """
    directory = server_dir(directory)
    running = server_status(directory)
    if running is not None:
        logger.info("server already running at %s (pid %d)", running.uri, running.pid)
        return running
    executable = shutil.which(SERVER_EXECUTABLE)
    if executable is None:
        raise ServerError(
            f"{SERVER_EXECUTABLE} (the bundled server, an optional extra) not found on PATH; "
            f"install it with: {SERVER_INSTALL}  (or give a MongoDB URI with --store)"
        )
    port = port or _previous_port(directory, host) or free_port(host)
    if _ping(host, port, 0.3):
        raise ServerError(f"port {port} on {host} is already in use; choose another with --port")
    (directory / "data").mkdir(parents=True, exist_ok=True)
    command = [executable, "--host", host, "--port", str(port)]
    command += ["--storage-path", str(directory / "data"), "--cache-size", cache_size]
    with (directory / "secantusd.log").open("ab") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=directory,  # no stray ./secantusd.toml from the caller's directory
            start_new_session=True,  # outlives the CLI, not killed by its Ctrl-C
        )
    deadline = time.monotonic() + timeout_s
    while not _ping(host, port, 0.5):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise ServerError(
                f"{SERVER_EXECUTABLE} did not start on {host}:{port}; see "
                f"{directory / 'secantusd.log'}"
            )
        time.sleep(0.2)
    info = ServerInfo(host=host, port=port, pid=process.pid, server_dir=str(directory))
    (directory / "secantusd.pid").write_text(f"{process.pid}\n")
    (directory / "port").write_text(f"{port}\n")
    (directory / "server.json").write_text(json.dumps(asdict(info), indent=2))
    create_indexes(info.uri)
    _write_client_files(info)
    logger.info("started %s at %s (pid %d)", SERVER_EXECUTABLE, info.uri, info.pid)
    return info


def stop_server(directory: str | Path | None = None, timeout_s: float = 30.0) -> bool:
    """Stop the server of a directory by its pid (SIGTERM, then SIGKILL after a timeout).

    Parameters
    ----------
    directory
        Server directory.
    timeout_s
        Seconds to wait for a clean shutdown before killing.

    Returns
    -------
    bool
        ``True`` if a server was stopped, ``False`` if none was running.
    """
    directory = server_dir(directory)
    info = server_status(directory)
    if info is None:
        return False
    os.kill(info.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while _pid_alive(info.pid):
        if time.monotonic() > deadline:
            logger.warning("server pid %d ignored SIGTERM; killing it", info.pid)
            os.kill(info.pid, signal.SIGKILL)
        time.sleep(0.1)
    for name in ("server.json", "secantusd.pid"):
        (directory / name).unlink(missing_ok=True)
    logger.info("stopped server pid %d", info.pid)
    return True
