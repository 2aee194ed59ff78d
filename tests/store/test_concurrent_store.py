"""Several processes share one embedded store: no failed connect, no lost document."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from phonogap.store.embedded import MontyStore, StoreLock, StoreLockedError
from phonogap.store.jobstore import embedded_store, store_from_file

SRC = Path(__file__).resolve().parents[2] / "src"

WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from phonogap.store.jobstore import embedded_store

    store_dir, go, worker, n = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    while not go.exists():  # all workers start connecting at the same moment
        time.sleep(0.005)
    for k in range(n):
        store = embedded_store(store_dir)  # a fresh connect each time, as every command does
        store.connect()
        doc = {"uuid": f"{worker}-{k}", "index": 1, "name": "w", "metadata": {},
               "hosts": [], "completed_at": "now", "output": {"array": [float(k)] * 50,
               "worker": worker}}
        store.update(doc, key=["uuid", "index"], save={"data": ["array"]})
        assert store.get_output(f"{worker}-{k}", load=True)["worker"] == worker
    """
)


def test_concurrent_processes_connect_and_write_without_failure(tmp_path):
    """Before the folder lock, this failed with ``Empty module name`` or a BSON config error."""
    store_dir, go = tmp_path / "store", tmp_path / "go"
    n_workers, n_writes = 5, 8
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(store_dir), str(go), f"w{i}", str(n_writes)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(n_workers)
    ]
    time.sleep(2.0)  # let every worker import and wait at the start line
    go.touch()
    errors = []
    for worker in workers:
        _, err = worker.communicate(timeout=120)
        if worker.returncode != 0:
            errors.append(err.strip().splitlines()[-1:])
    assert errors == []

    store = embedded_store(store_dir)
    store.connect()
    uuids = sorted(doc["uuid"] for doc in store.query({}, properties=["uuid"]))
    expected = sorted(f"w{i}-{k}" for i in range(n_workers) for k in range(n_writes))
    assert uuids == expected  # every document once: none lost, none duplicated
    assert store.additional_stores["data"].count() == n_workers * n_writes
    assert store.get_output("w3-5", load=True)["array"] == [5.0] * 50


HOLDER = textwrap.dedent(
    """
    import sys, time
    from phonogap.store.embedded import StoreLock
    with StoreLock(sys.argv[1]).hold():
        print("held", flush=True)
        time.sleep(60)
    """
)


def test_a_lock_held_by_another_process_times_out_naming_the_store(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        start = time.monotonic()
        with pytest.raises(StoreLockedError) as caught, StoreLock(tmp_path, timeout_s=0.5).hold():
            pass
        assert 0.5 <= time.monotonic() - start < 5
        message = str(caught.value)
        assert f"the embedded store {tmp_path.resolve()} has been locked" in message
        assert "--store server" in message
    finally:
        holder.kill()  # the kernel drops a killed process's flock
        holder.wait()
    lock = StoreLock(tmp_path, timeout_s=5)
    with lock.hold(), lock.hold():  # free again, and re-entrant within one process
        pass


def test_a_store_file_naming_montystore_gets_the_lock(tmp_path):
    config = tmp_path / "jobflow.yaml"
    spec = "{{type: MontyStore, collection_name: {}, database_path: db, storage: sqlite}}"
    config.write_text(
        f"JOB_STORE:\n  docs_store: {spec.format('outputs')}\n"
        f"  additional_stores:\n    data: {spec.format('outputs_data')}\n"
    )
    store = store_from_file(config)
    assert isinstance(store.docs_store, MontyStore)
    assert isinstance(store.additional_stores["data"], MontyStore)
    assert store.docs_store.key == "uuid"  # JobStore's keys survive the swap
    assert store.additional_stores["data"].key == "blob_uuid"
    assert store.docs_store.database_path == str((tmp_path / "db").resolve())
