"""gap_fit through a launcher prefix: it runs, it is recorded, threads only for OpenMP builds.

The prefix is a wrapper script that writes what it was given (its arguments and
``OMP_NUM_THREADS``) to a file and then runs the rest of the command, as ``mpirun`` or
``srun`` would. Fits are tiny (4 rattled 8-atom Si cells, Stillinger-Weber labels, about 2 s).
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk
from ase.io import write

from phonogap.config import parse_workflow
from phonogap.config.preflight import launcher_problems
from phonogap.fitting import GapHyperparameters, SoapDescriptor, gap_fit_arguments
from phonogap.fitting.fit_cache import fit_key, run_gap_fit_or_reuse
from phonogap.fitting.gap_fit_run import run_gap_fit
from phonogap.fitting.launcher import (
    GAP_FIT_COMMAND_VARIABLE,
    GapFitLauncher,
    LauncherError,
    build_capabilities,
    launcher_from_environment,
    resolve_launcher,
)
from phonogap.fitting.settings import FitSettings
from phonogap.reference.stillinger_weber import StillingerWeberReference
from phonogap.schemas.keys import CONFIG_TYPE_KEY, ENERGY_KEY, FORCES_KEY, ISOLATED_ATOM

WRAPPER = """#!/bin/sh
# {marker}
printf '%s\\n' "threads=${{OMP_NUM_THREADS-unset}}" "$@" > "{record}"
case "$1" in -np|-n) shift 2 ;; esac
exec {target} "$@"
"""


@pytest.fixture(scope="module")
def training(tmp_path_factory) -> Path:
    sw = StillingerWeberReference().calculator()
    rng = np.random.default_rng(17)
    isolated = Atoms("Si", cell=[20.0] * 3, pbc=True)
    isolated.calc = sw
    isolated.info[ENERGY_KEY] = isolated.get_potential_energy()
    isolated.calc = None
    isolated.info[CONFIG_TYPE_KEY] = ISOLATED_ATOM
    configurations = [isolated]
    for _ in range(4):
        atoms = bulk("Si", "diamond", a=5.43, cubic=True)
        atoms.positions += rng.normal(0.0, 0.05, atoms.positions.shape)
        atoms.calc = sw
        atoms.info[ENERGY_KEY] = atoms.get_potential_energy()
        atoms.arrays[FORCES_KEY] = atoms.get_forces()
        atoms.calc = None
        configurations.append(atoms)
    path = tmp_path_factory.mktemp("data") / "train.xyz"
    write(path, configurations, format="extxyz")
    return path


def _arguments(training: Path) -> list[str]:
    hyper = GapHyperparameters.small().model_copy(
        update={"soap": SoapDescriptor(l_max=4, n_max=4, n_sparse=30)}
    )
    return gap_fit_arguments(hyper, training, Path("gap.xml"), e0=-0.0, has_virials=False)


def _wrapper(directory: Path, marker: str = "a launcher", target: str = "") -> tuple[Path, Path]:
    """A stand-in for mpirun (``target`` empty) or for a gap_fit build (``target`` gap_fit)."""
    script, record = directory / "launch.sh", directory / "launched.txt"
    script.write_text(WRAPPER.format(marker=marker, record=record, target=target))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, record


@pytest.fixture
def no_site_command(monkeypatch):
    monkeypatch.delenv(GAP_FIT_COMMAND_VARIABLE, raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)


def test_fit_through_a_prefix_runs_and_is_recorded(training, tmp_path, no_site_command):
    script, record = _wrapper(tmp_path)
    launcher = GapFitLauncher(prefix=[str(script), "-np", "2"])
    run = run_gap_fit(_arguments(training), tmp_path / "fit", launcher=launcher, timeout_s=120)
    launched = record.read_text().splitlines()
    # the wrapper got "-np 2", then the gap_fit binary and gap_fit's own arguments
    assert launched[1:3] == ["-np", "2"]
    assert Path(launched[3]).name == "gap_fit"
    assert launched[4].startswith("atoms_filename=")
    # the wheel's gap_fit has no OpenMP: OMP_NUM_THREADS is left alone (unset here)
    assert launched[0] == "threads=unset"
    assert run.xml_path.is_file()
    assert run.launch is not None
    assert run.launch.command == [str(script), "-np", "2", launched[3]]
    assert (run.launch.ranks, run.launch.threads, run.launch.source) == (2, 1, "fit.launcher")
    assert (run.launch.openmp, run.launch.mpi) == (False, False)


def test_openmp_build_gets_threads(training, tmp_path, no_site_command):
    """A build whose binary holds an OpenMP symbol gets OMP_NUM_THREADS = n_threads."""
    import quippy

    binary = Path(quippy.__path__[0]) / "gap_fit"
    # the symbol scan finds "GOMP_parallel" in this stand-in build
    script, record = _wrapper(tmp_path, marker="GOMP_parallel", target=str(binary))
    run = run_gap_fit(
        _arguments(training),
        tmp_path / "fit",
        launcher=GapFitLauncher(executable=str(script), n_threads=3),
    )
    assert record.read_text().splitlines()[0] == "threads=3"
    assert run.launch.openmp and run.launch.threads == 3 and run.launch.ranks == 1


def test_site_variable_sets_the_command_and_the_cache_ignores_the_launcher(
    training, tmp_path, monkeypatch, no_site_command
):
    script, record = _wrapper(tmp_path)
    monkeypatch.setenv(GAP_FIT_COMMAND_VARIABLE, f"{script} -n 2 gap_fit")
    cache = tmp_path / "cache"
    arguments = _arguments(training)
    first = run_gap_fit_or_reuse(arguments, tmp_path / "a", cache_dir=cache)
    assert record.is_file()
    assert first.launch.source == GAP_FIT_COMMAND_VARIABLE and first.launch.ranks == 2
    # a serial run of the same inputs reuses the fit made through the launcher
    monkeypatch.delenv(GAP_FIT_COMMAND_VARIABLE)
    record.unlink()
    second = run_gap_fit_or_reuse(arguments, tmp_path / "b", cache_dir=cache)
    assert not record.exists()  # gap_fit did not run again
    assert second.sha256 == first.sha256
    assert second.launch.reused and second.launch.command == first.launch.command
    assert fit_key(arguments, tmp_path / "a") == fit_key(arguments, tmp_path / "b")


def test_precedence_settings_then_variable_then_default(monkeypatch):
    monkeypatch.setenv(GAP_FIT_COMMAND_VARIABLE, "srun --ntasks=4 /opt/gap/gap_fit")
    from_env, source = resolve_launcher(None)
    assert source == GAP_FIT_COMMAND_VARIABLE
    assert from_env.prefix == ["srun", "--ntasks=4"] and from_env.executable == "/opt/gap/gap_fit"
    assert from_env.ranks == 4
    given = GapFitLauncher(prefix=["mpirun", "-np", "8"])
    assert resolve_launcher(given) == (given, "fit.launcher")
    monkeypatch.delenv(GAP_FIT_COMMAND_VARIABLE)
    default, source = resolve_launcher(None)
    assert source == "default" and default.prefix == [] and default.executable == "gap_fit"
    assert GapFitLauncher(prefix=["srun"]).ranks is None
    with pytest.raises(LauncherError, match=GAP_FIT_COMMAND_VARIABLE):
        launcher_from_environment("mpirun 'unclosed")


def test_wheel_gap_fit_has_neither_openmp_nor_mpi():
    import quippy

    binary = Path(quippy.__path__[0]) / "gap_fit"
    capabilities = build_capabilities(str(binary))
    assert not capabilities.openmp and not capabilities.mpi


def test_workflow_file_launcher_and_preflight_name_the_missing_program(monkeypatch):
    monkeypatch.delenv(GAP_FIT_COMMAND_VARIABLE, raising=False)
    raw = {
        "structures": {"allotropes": ["mp-149"]},
        "reference": {"backend": "sw"},
        "fit": {"preset": "small", "launcher": {"prefix": ["no-such-mpirun", "-np", "2"]}},
    }
    workflow = parse_workflow(raw, source="w.yaml")
    assert workflow.maker.fit.launcher.prefix == ["no-such-mpirun", "-np", "2"]
    (problem,) = launcher_problems(workflow, "w.yaml")
    assert problem.setting == "w.yaml: fit.launcher"
    assert "'no-such-mpirun' is not on PATH" in problem.message
    monkeypatch.setenv(GAP_FIT_COMMAND_VARIABLE, "mpirun -np 2 /nowhere/gap_fit")
    raw["fit"].pop("launcher")
    problems = launcher_problems(parse_workflow(raw, source="w.yaml"), "w.yaml")
    assert [p.setting for p in problems][-1] == GAP_FIT_COMMAND_VARIABLE
    assert "'/nowhere/gap_fit' was not found" in problems[-1].message


def test_launcher_reaches_the_fit_job_of_the_flow():
    settings = FitSettings(preset="small", launcher={"prefix": ["srun"]})
    from phonogap.flows.imported_data_gap import ImportedDataGapMaker
    from phonogap.importers.training_data import DatasetSpec

    maker = ImportedDataGapMaker(
        datasets=[DatasetSpec(bundled="george2020_castep", structures=["mp-149"])], fit=settings
    )
    (fit,) = [job for job in maker.make().jobs if job.name == "fit_gap"]
    assert fit.function_kwargs["launcher"].prefix == ["srun"]
    json.dumps(fit.as_dict(), default=str)  # serialisable for FireWorks / jobflow-remote
    assert os.environ.get("PHONOGAP_NEVER_SET") is None


def test_fit_document_records_the_launch(training, tmp_path, no_site_command):
    from ase.io import read

    from phonogap.fitting.fit_in_directory import fit_gap_in_directory

    script, record = _wrapper(tmp_path)
    hyper = GapHyperparameters.small().model_copy(
        update={"soap": SoapDescriptor(l_max=4, n_max=4, n_sparse=30)}
    )
    document = fit_gap_in_directory(
        read(training, ":"),
        hyper,
        tmp_path / "fit",
        f=None,
        launcher=GapFitLauncher(prefix=[str(script), "-np", "2"]),
    )
    assert record.is_file()
    assert document.launch.command[:3] == [str(script), "-np", "2"]
    assert (document.launch.ranks, document.launch.threads) == (2, 1)
    assert document.model_dump(mode="json")["launch"]["mpi"] is False
