"""The local SecantusDB server: start, status, stop by pid, indexes, client files."""

from __future__ import annotations

import shutil

import pymongo
import pytest
import yaml

from phonogap.store.jobstore import StoreConfigError, get_store, local_server_store
from phonogap.store.server import (
    SERVER_EXECUTABLE,
    ServerError,
    _pid_alive,
    server_status,
    start_server,
    stop_server,
)


def test_start_status_stop_with_pid_file_and_indexes(tmp_path, monkeypatch):
    directory = tmp_path / "server"
    assert server_status(directory) is None
    info = start_server(directory)
    try:
        assert int((directory / "secantusd.pid").read_text()) == info.pid
        assert _pid_alive(info.pid)
        assert (directory / "data").is_dir()
        # starting again returns the running server instead of a second one
        assert start_server(directory).pid == info.pid
        assert server_status(directory) == info
        client = pymongo.MongoClient(info.uri, serverSelectionTimeoutMS=5000)
        indexes = client.phonogap.outputs.index_information()
        assert any(spec["key"] == [("uuid", 1)] for spec in indexes.values())
        data_indexes = client.phonogap["outputs_data.files"].index_information()
        assert any(spec["key"] == [("metadata.blob_uuid", 1)] for spec in data_indexes.values())
        client.close()
        # the written client files point at the server
        launchpad = yaml.safe_load((directory / "my_launchpad.yaml").read_text())
        assert (launchpad["host"], launchpad["port"]) == (info.host, info.port)
        config = yaml.safe_load((directory / "jobflow.yaml").read_text())
        assert config["JOB_STORE"]["additional_stores"]["data"]["type"] == "GridFSStore"
        monkeypatch.setenv("PHONOGAP_SERVER_DIR", str(directory))
        store = get_store("server")
        store.connect()
        store.update({"uuid": "abc", "index": 1, "output": {"x": 1}}, key=["uuid", "index"])
        assert local_server_store(directory).docs_store.uri == info.uri
        store.close()
    finally:
        assert stop_server(directory)
    assert not _pid_alive(info.pid)
    assert not (directory / "secantusd.pid").exists()
    assert server_status(directory) is None
    assert stop_server(directory) is False
    with pytest.raises(StoreConfigError, match="phonogap db start"):
        local_server_store(directory)
    # data persist across a restart, on the same port
    port = info.port
    info = start_server(directory)
    try:
        assert info.port == port
        store = local_server_store(directory)
        store.connect()
        assert store.query_one({"uuid": "abc"})["output"] == {"x": 1}
        store.close()
    finally:
        stop_server(directory)


def test_port_in_use_is_a_clear_error(tmp_path, secantus_server):
    with pytest.raises(ServerError, match=f"port {secantus_server.port}.*--port"):
        start_server(tmp_path / "other", port=secantus_server.port)


def test_db_cli_start_status_stop(tmp_path, capsys):
    from phonogap.cli import main

    directory = str(tmp_path / "cli_server")
    assert main(["db", "status", "--dir", directory]) == 1
    assert main(["db", "start", "--dir", directory]) == 0
    out = capsys.readouterr().out
    assert "server running at mongodb://127.0.0.1:" in out
    info = server_status(directory)
    try:
        assert info is not None
        assert main(["db", "status", "--dir", directory]) == 0
        assert f"pid {info.pid}" in capsys.readouterr().out
    finally:
        assert main(["db", "stop", "--dir", directory]) == 0
    assert not _pid_alive(info.pid)
    assert "server stopped" in capsys.readouterr().out


def test_db_start_without_the_server_extra_says_what_to_install(tmp_path, monkeypatch, capsys):
    from phonogap.cli import main
    from phonogap.store import server

    real_which = shutil.which

    def which(name, *args, **kwargs):
        return None if name == SERVER_EXECUTABLE else real_which(name, *args, **kwargs)

    monkeypatch.setattr(server.shutil, "which", which)
    directory = tmp_path / "no_server"
    assert main(["db", "start", "--dir", str(directory)]) == 2
    captured = capsys.readouterr()
    lines = (captured.out + captured.err).strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: secantusd-py")
    assert 'install it with: python3 -m pip install "phonogap[server]"' in lines[0]
    assert not (directory / "data").exists()  # nothing started, nothing written
