"""Shared pytest fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def no_user_jobflow_config(monkeypatch, tmp_path_factory):
    """Keep a developer's ``~/.jobflow.yaml`` out of the tests' default store choice."""
    missing = tmp_path_factory.getbasetemp() / "no-jobflow-config.yaml"
    monkeypatch.setenv("JOBFLOW_CONFIG_FILE", str(missing))


@pytest.fixture(scope="session")
def refdata_dir() -> Path:
    """Return ``../shared/refdata`` next to the repository, or skip if it is absent."""
    path = Path(__file__).resolve().parents[1].parent / "shared" / "refdata"
    if not path.is_dir():
        pytest.skip(f"shared reference data not found at {path} (only in the dev setup)")
    return path


@pytest.fixture(scope="session")
def secantus_server(tmp_path_factory):
    """Run a real MongoDB-protocol server (SecantusDB) on a free loopback port for the session.

    Started as a separate process by :func:`phonogap.store.server.start_server` and stopped by its
    pid. Skips when ``secantusd-py`` is not installed.
    """
    import shutil

    from phonogap.store.server import SERVER_EXECUTABLE, start_server, stop_server

    if shutil.which(SERVER_EXECUTABLE) is None:
        pytest.skip(f"{SERVER_EXECUTABLE} not installed (python3 -m pip install secantusdb)")
    directory = tmp_path_factory.mktemp("secantus")
    info = start_server(directory)
    yield info
    stop_server(directory)


@pytest.fixture
def mongo_database(secantus_server, request):
    """Return ``(uri, database)``: a fresh, indexed database on the session's server."""
    import re
    import uuid

    from phonogap.store.server import create_indexes

    name = re.sub(r"\W", "_", request.node.name)[:40] + "_" + uuid.uuid4().hex[:6]
    create_indexes(secantus_server.uri, name)
    return secantus_server.uri, name
