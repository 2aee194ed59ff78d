"""The fault probe of issue 16: a forces-only GAP collapses diamond; the run must fail fast.

Before the relaxation guard, ``imported_data_gap`` on the forces-only CASTEP diamond dataset
without ``equilibrium`` let the GAP pull the cell from 20.4 to 0.015 Å³/atom; the phonon job
then grew to 24 GB until the kernel killed it (798 s). Now the relaxation is stopped after a
few steps and the structure's benchmark fails with a message that names the structure, the
volume change and the ``equilibrium`` option. Measured: the whole flow in 8-17 s (machine
load), peak 0.38 GB.
"""

from __future__ import annotations

import logging
import re
import threading
import time

import psutil
from jobflow import JobStore, run_locally
from maggma.stores import MemoryStore

from phonogap.fitting.hyperparameters import GapHyperparameters
from phonogap.fitting.settings import FitSettings
from phonogap.flows.imported_data_gap import ImportedDataGapMaker
from phonogap.importers.training_data import DatasetSpec
from phonogap.phonons.settings import PhononSettings


def test_forces_only_gap_collapse_fails_the_structure_fast_and_names_equilibrium(
    bundled_dir, tmp_path, caplog
):
    dataset = bundled_dir / "george2020_castep_phonons" / "phonopy_yaml" / "22_phonopy.yaml"
    maker = ImportedDataGapMaker(
        name="collapse_probe",
        datasets=[DatasetSpec(importer="phonopy", path=str(dataset), name="mp-149")],
        fit=FitSettings(hyperparameters=GapHyperparameters.small().with_n_sparse(60), f=0.01),
        phonons=PhononSettings(points_per_segment=11, mesh=(8, 8, 8)),
    )
    store = JobStore(MemoryStore(), additional_stores={"data": MemoryStore()})
    caplog.set_level(logging.INFO, logger="jobflow")
    start = time.perf_counter()
    with _PeakMemory() as memory:
        responses = run_locally(
            maker.make(), store=store, create_folders=True, root_dir=tmp_path, log=False
        )
    elapsed = time.perf_counter() - start
    outputs = [r.output for job in responses.values() for r in job.values()]
    (summary,) = [o for o in outputs if type(o).__name__ == "BenchmarkSummaryDocument"]
    assert summary.failed == ["mp-149"]
    assert summary.rows == []

    (message,) = re.findall(r"RelaxationCollapsedError: (.*)", caplog.text)
    assert message.startswith("relaxation of mp-149 (2 atoms) collapsed, stopped after ")
    before, after = re.search(r"volume ([\d.]+) → ([\d.]+) Å³/atom", message).groups()
    assert before == "20.4"
    assert float(after) < 0.5 * 20.4
    assert "forces-only" in message
    assert "`equilibrium` is not set" in message
    assert "equilibrium: {enabled: true}" in message
    # fast and small: the unguarded run took 798 s and 24 GB
    assert elapsed < 120
    print(f"collapse probe: {elapsed:.1f} s, peak {memory.peak_gb:.2f} GB")
    assert memory.peak_gb < 4  # measured 0.4 GB (this process and its workers)


class _PeakMemory:
    """Poll the resident memory of this process and its children every 0.1 s."""

    def __enter__(self) -> _PeakMemory:
        self.peak_gb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
            self.peak_gb = max(self.peak_gb, total / 1024**3)
            time.sleep(0.1)
