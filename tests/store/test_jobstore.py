"""The embedded JobStore persists across processes; store files are validated."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from phonogap.store.jobstore import StoreConfigError, embedded_store, get_store, store_from_file

WRITER = textwrap.dedent(
    """
    import sys
    import numpy as np
    from jobflow import job, run_locally
    from phonogap.store.jobstore import embedded_store

    @job(data=["matrix"])
    def make_matrix(n):
        rng = np.random.default_rng(7)
        return {"matrix": rng.normal(size=(n, 3)).tolist(), "n": n}

    store = embedded_store(sys.argv[1])
    j = make_matrix(5000)
    run_locally(j, store=store, create_folders=False)
    print(j.uuid)
    """
)


def test_round_trip_across_processes(tmp_path):
    import numpy as np

    result = subprocess.run(
        [sys.executable, "-c", WRITER, str(tmp_path / "store")],
        capture_output=True,
        text=True,
        check=True,
    )
    uuid = result.stdout.strip().splitlines()[-1]
    store = embedded_store(tmp_path / "store")
    store.connect()
    output = store.get_output(uuid, load=True)
    expected = np.random.default_rng(7).normal(size=(5000, 3))
    assert output["n"] == 5000
    np.testing.assert_array_equal(np.array(output["matrix"]), expected)
    # the array lives in the data store, the document only holds a reference to it
    raw = store.docs_store.query_one({"uuid": uuid})
    assert "blob_uuid" in raw["output"]["matrix"]


def test_store_file_with_relative_embedded_path(tmp_path):
    config = tmp_path / "conf" / "jobflow.yaml"
    config.parent.mkdir()
    config.write_text(
        "JOB_STORE:\n"
        "  docs_store: {type: MontyStore, collection_name: outputs, database_path: ../db,"
        " database_name: phonogap, storage: sqlite}\n"
        "  additional_stores:\n"
        "    data: {type: MontyStore, collection_name: outputs_data, database_path: ../db,"
        " database_name: phonogap, storage: sqlite}\n"
    )
    store = store_from_file(config)
    assert store.docs_store.database_path == str((tmp_path / "db").resolve())
    assert set(store.additional_stores) == {"data"}


def test_bad_store_files_name_the_file_and_the_fix(tmp_path, monkeypatch):
    with pytest.raises(StoreConfigError, match="does not exist"):
        store_from_file(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("docs: {type: MongoStore}\n")
    with pytest.raises(StoreConfigError, match=r"bad.yaml has no 'docs_store'"):
        store_from_file(bad)
    monkeypatch.setenv("PHONOGAP_STORE_CONFIG", str(bad))
    with pytest.raises(StoreConfigError):
        get_store()


def _tiny_flow():
    from jobflow import Flow, job

    @job(data=["values"])
    def square(n):
        return {"values": [float(i * i) for i in range(n)], "n": n}

    @job
    def total(output):
        return sum(output["values"])

    first = square(2000)
    second = total(first.output)
    return Flow([first, second]), second


@pytest.mark.parametrize("kind", ["embedded", "uri", "server_file"])
def test_same_flow_runs_unchanged_on_every_store(kind, tmp_path, request, monkeypatch):
    from jobflow import run_locally

    if kind == "embedded":
        monkeypatch.setenv("PHONOGAP_STORE_DIR", str(tmp_path / "embedded"))
        store = get_store()
        expected_type = "MontyStore"
    else:
        uri, database = request.getfixturevalue("mongo_database")
        if kind == "uri":
            store = get_store(f"{uri}/{database}")
        else:  # a jobflow.yaml like the one `phonogap db start` writes
            host, port = uri.removeprefix("mongodb://").split(":")
            common = f"host: {host}, port: {port}, database: {database}"
            config = tmp_path / "jobflow.yaml"
            config.write_text(
                "JOB_STORE:\n"
                f"  docs_store: {{type: MongoStore, collection_name: outputs, {common}}}\n"
                "  additional_stores:\n"
                f"    data: {{type: GridFSStore, collection_name: outputs_data, {common}}}\n"
            )
            store = get_store(config)
        expected_type = "MongoStore"
    assert type(store.docs_store).__name__ == expected_type
    flow, last = _tiny_flow()
    responses = run_locally(flow, store=store, create_folders=False, log=False)
    assert responses[last.uuid][1].output == sum(float(i * i) for i in range(2000))
    store.connect()
    first = flow.jobs[0]
    raw = store.query_one({"uuid": first.uuid})
    assert "blob_uuid" in raw["output"]["values"]  # the array went to the data store
    assert store.get_output(first.uuid, load=True)["values"][-1] == 1999.0**2
