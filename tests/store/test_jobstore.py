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


def _jobflow_yaml(path, docs: str, data: str):
    path.write_text(f"JOB_STORE:\n  docs_store: {docs}\n  additional_stores:\n    data: {data}\n")
    return path


@pytest.fixture
def no_phonogap_store_variables(monkeypatch, tmp_path):
    monkeypatch.delenv("PHONOGAP_STORE_DIR", raising=False)
    monkeypatch.delenv("PHONOGAP_STORE_CONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def test_jobflow_config_file_names_the_default_store(
    tmp_path, monkeypatch, no_phonogap_store_variables
):
    from phonogap.store.jobstore import select_store

    config = _jobflow_yaml(tmp_path / "jobflow.yaml", "{type: MemoryStore}", "{type: MemoryStore}")
    monkeypatch.setenv("JOBFLOW_CONFIG_FILE", str(config))
    store, where = select_store()
    assert type(store.docs_store).__name__ == "MemoryStore"
    assert set(store.additional_stores) == {"data"}
    assert where.startswith(f"jobflow config {config} (JOBFLOW_CONFIG_FILE): MemoryStore")
    assert type(get_store().docs_store).__name__ == "MemoryStore"
    # --store and PHONOGAP_STORE_DIR still win over jobflow's configuration
    monkeypatch.setenv("PHONOGAP_STORE_DIR", str(tmp_path / "embedded"))
    store, where = select_store()
    assert type(store.docs_store).__name__ == "MontyStore"
    assert where.endswith("(PHONOGAP_STORE_DIR)")


def test_without_jobflow_config_the_embedded_store_is_used(tmp_path, no_phonogap_store_variables):
    from phonogap.store.jobstore import select_store

    store, where = select_store()
    home_store = (tmp_path / "home" / ".phonogap" / "store").resolve()
    assert store.docs_store.database_path == str(home_store)
    assert where == f"embedded MontyStore at {home_store} (no jobflow config found)"


def test_jobflow_config_without_job_store_is_not_used(
    tmp_path, monkeypatch, no_phonogap_store_variables
):
    from phonogap.store.jobstore import select_store

    config = tmp_path / "jobflow.yaml"
    config.write_text("JOB_UUID_TYPE: uuid4\n")
    monkeypatch.setenv("JOBFLOW_CONFIG_FILE", str(config))
    assert select_store()[1].endswith("(no jobflow config found)")


def test_run_writes_into_the_jobflow_configured_montydb_and_says_so_first(
    tmp_path, monkeypatch, capsys, no_phonogap_store_variables
):
    import phonogap.config
    from phonogap.cli import main
    from phonogap.errors import PhonogapError

    db = tmp_path / "montydb"
    spec = "{{type: MontyStore, collection_name: {}, database_path: {}, storage: sqlite}}"
    config = _jobflow_yaml(
        tmp_path / "jobflow.yaml", spec.format("outputs", db), spec.format("outputs_data", db)
    )
    monkeypatch.setenv("JOBFLOW_CONFIG_FILE", str(config))

    class Stop(PhonogapError):
        """Stands in for the flow, which this test does not need to run."""

    def stop(*args, **kwargs):
        raise Stop("flow not built in this test")

    monkeypatch.setattr(phonogap.config, "flow_from_workflow", stop)
    workflow = tmp_path / "wf.yaml"
    workflow.write_text("structures: {allotropes: [mp-149]}\n")
    capsys.readouterr()
    assert main(["run", str(workflow), "--out", str(tmp_path / "out")]) == 2
    first = capsys.readouterr().err.strip().splitlines()[0]
    assert first.startswith(f"store: jobflow config {config} (JOBFLOW_CONFIG_FILE): MontyStore")

    # the configured montydb directory is the store jobflow writes to and phonogap reads
    from jobflow import job, run_locally

    @job
    def answer():
        return 42

    one = answer()
    run_locally(one, store=get_store(), log=False)
    reread = get_store()
    reread.connect()
    assert reread.get_output(one.uuid) == 42
    assert db.is_dir()
