"""Parallel gap_fit builds fit the same potential as the wheel's serial gap_fit.

Data: the bundled CASTEP data of diamond Si (``george2020_castep``, mp-149: the equilibrium
cell and its single-displacement supercell, 130 atoms, forces only, e0 = 0), small preset with
40 SOAP sparse points requested (19 distinct environments), Eq. 8 sigmas. The wheel's fit
(about 3 s) is the reference; forces are compared on both cells and a rattled supercell.

The OpenMP and MPI tests need the builds of ``scripts/build_gap_fit.sh`` (CI uses the wheel
only): ``$PHONOGAP_GAP_FIT_OPENMP`` / ``$PHONOGAP_GAP_FIT_MPI``, or the default install
prefixes ``/opt/gap_parallel/{openmp,mpi}``. Without them they skip and say how to build.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from phonogap.database.extxyz import write_training_xyz
from phonogap.database.regularisation import apply_atomwise_sigma
from phonogap.fitting.errors import load_potential
from phonogap.fitting.gap_fit import gap_fit_arguments, resolve_e0
from phonogap.fitting.hyperparameters import GapHyperparameters
from phonogap.fitting.sparse_input import (
    SparseInput,
    gap_string_with_sparse_files,
    write_sparse_inputs,
)
from phonogap.importers.training_data import DatasetSpec, EquilibriumSettings, import_training_data
from phonogap.schemas.configuration import to_atoms_list
from phonogap.schemas.keys import CONFIG_TYPE_KEY, ISOLATED_ATOM

BUILDS = {
    "openmp": ("PHONOGAP_GAP_FIT_OPENMP", "/opt/gap_parallel/openmp/bin/gap_fit"),
    "mpi": ("PHONOGAP_GAP_FIT_MPI", "/opt/gap_parallel/mpi/bin/gap_fit"),
}


def parallel_build(kind: str) -> str:
    """Return the parallel gap_fit of ``kind``, or skip naming how to build it."""
    variable, default = BUILDS[kind]
    path = os.environ.get(variable) or default
    if not Path(path).is_file():
        pytest.skip(
            f"no {kind} gap_fit at {path}: build it with scripts/build_gap_fit.sh SOURCE_DIR "
            f"/opt/gap_parallel/{kind} {kind} (docs/cluster.md) or set {variable}"
        )
    if kind == "mpi" and not shutil.which("mpirun"):
        pytest.skip(
            "no mpirun for the MPI gap_fit: apt-get install openmpi-bin "
            "(then scripts/build_gap_fit.sh)"
        )
    return path


def wheel_gap_fit() -> str:
    import quippy

    return str(Path(quippy.__path__[0]) / "gap_fit")


@pytest.fixture(scope="module")
def fit_inputs(tmp_path_factory):
    """Return (training configurations, gap_fit arguments without the executable, tests)."""
    spec = DatasetSpec(bundled="george2020_castep", structures="stable")
    datasets = [s for s in spec.expanded() if s.mp_id == "mp-149"]
    dataset = import_training_data(datasets, EquilibriumSettings(enabled=False))
    configurations = to_atoms_list(dataset.configurations)
    apply_atomwise_sigma(configurations, 0.001)
    hyper = GapHyperparameters.small().with_n_sparse(40).model_copy(update={"e0": 0.0})
    arguments = gap_fit_arguments(
        hyper,
        Path("training.xyz"),
        Path("gap.xml"),
        e0=resolve_e0(hyper, configurations),
        has_virials=False,
    )[1:]
    tests = [a for a in configurations if a.info.get(CONFIG_TYPE_KEY) != ISOLATED_ATOM]
    rng = np.random.default_rng(7)
    rattled = tests[-1].copy()
    rattled.positions += rng.normal(scale=0.05, size=rattled.positions.shape)
    return configurations, arguments, [*tests, rattled]


def fit(directory: Path, command: list[str], configurations, threads: int = 1) -> Path:
    """Run a gap_fit command in ``directory`` on the configurations; return the xml."""
    directory.mkdir(parents=True, exist_ok=True)
    write_training_xyz(configurations, directory / "training.xyz")
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    with open(directory / "gap_fit.log", "w") as log:
        result = subprocess.run(
            command, cwd=directory, stdout=log, stderr=subprocess.STDOUT, env=env, timeout=300
        )
    log_text = (directory / "gap_fit.log").read_text(errors="replace")
    assert result.returncode == 0, log_text[-3000:]
    return directory / "gap.xml"


def forces(xml: Path, configurations) -> np.ndarray:
    potential = load_potential(xml)
    out = []
    for atoms in configurations:
        atoms = atoms.copy()
        atoms.calc = potential
        out.append(atoms.get_forces())
    return np.concatenate(out)


@pytest.fixture(scope="module")
def wheel_fit(fit_inputs, tmp_path_factory) -> tuple[Path, np.ndarray]:
    configurations, arguments, tests = fit_inputs
    directory = tmp_path_factory.mktemp("wheel")
    xml = fit(directory, [wheel_gap_fit(), *arguments], configurations)
    return xml, forces(xml, tests)


def with_sparse_files(arguments: list[str], inputs: list[SparseInput], where: Path) -> list[str]:
    return [
        "gap=" + gap_string_with_sparse_files(a[4:], inputs, where) if a.startswith("gap=") else a
        for a in arguments
    ]


def test_gap_string_reads_sparse_points_from_files():
    gap = (
        "{distance_2b cutoff=5.0 n_sparse=15 sparse_method=uniform : "
        "soap n_sparse=40 zeta=4 sparse_method=cur_points}"
    )
    inputs = [SparseInput(Path("/w/a.input"), 12), SparseInput(Path("/w/b.input"), 19)]
    changed = gap_string_with_sparse_files(gap, inputs, Path("/w"))
    assert changed == (
        "{distance_2b cutoff=5.0 n_sparse=12 sparse_method=file sparse_file=a.input : "
        "soap n_sparse=19 zeta=4 sparse_method=file sparse_file=b.input}"
    )
    with pytest.raises(ValueError, match="2 descriptors in the gap string but 1 sparse files"):
        gap_string_with_sparse_files(gap, inputs[:1])
    with pytest.raises(ValueError, match="comma or space"):
        gap_string_with_sparse_files(gap, [SparseInput(Path("a,b"), 1), inputs[1]])
    with pytest.raises(ValueError, match="has no sparse_method"):
        gap_string_with_sparse_files("{soap n_sparse=40}", inputs[:1])


def test_sparse_inputs_reproduce_the_wheel_fit(fit_inputs, wheel_fit, tmp_path):
    """Refitted from its own sparse points (sparse_method=file), the wheel gives its forces.

    This is the route of an MPI fit (serial sparsification, parallel fit); here it checks the
    conversion of the sparseX files: a wrong layout changes the sparse points and the forces.
    """
    configurations, arguments, tests = fit_inputs
    xml, reference = wheel_fit
    inputs = write_sparse_inputs(xml, tmp_path / "refit")
    text = xml.read_text()
    dimensions = [int(d) for d in re.findall(r'<gpCoordinates [^>]*dimensions="(\d+)"', text)]
    names = re.findall(r'sparseX_filename="([^"]+)"', text)
    assert len(inputs) == len(names) == len(dimensions) == 2  # distance_2b, soap
    for name, size, (written, n_sparse) in zip(names, dimensions, inputs, strict=True):
        rows = np.loadtxt(written).reshape(-1, size + 1)
        assert len(rows) == n_sparse
        assert np.array_equal(rows[:, 1:].ravel(), np.loadtxt(xml.parent / name))
        assert np.all((rows[:, 0] > 0.9) & (rows[:, 0] <= 1.0))  # cutoff factors (0.986-1)
    command = [wheel_gap_fit(), *with_sparse_files(arguments, inputs, tmp_path / "refit")]
    refit = fit(tmp_path / "refit", command, configurations)
    difference = np.abs(forces(refit, tests) - reference).max()
    assert difference < 1e-8, difference  # measured: 0.0


@pytest.fixture
def openmp_build() -> str:
    return parallel_build("openmp")


@pytest.fixture
def mpi_build() -> str:
    return parallel_build("mpi")


def test_openmp_build_matches_the_wheel(openmp_build, fit_inputs, wheel_fit, tmp_path):
    executable = openmp_build
    configurations, arguments, tests = fit_inputs
    xml = fit(tmp_path / "omp", [executable, *arguments], configurations, threads=2)
    log = (tmp_path / "omp" / "gap_fit.log").read_text()
    assert "OpenMP parallelisation with 2 threads" in log  # the wheel prints no such line
    difference = np.abs(forces(xml, tests) - wheel_fit[1]).max()
    # measured 8.0e-7 eV/Å (the builds' BLAS differ from the wheel's); force sigma 0.01
    assert difference < 1e-5, difference


def test_mpi_build_matches_the_wheel(mpi_build, fit_inputs, wheel_fit, tmp_path):
    executable = mpi_build
    configurations, arguments, tests = fit_inputs
    inputs = write_sparse_inputs(wheel_fit[0], tmp_path / "mpi")
    prefix = ["mpirun", "-np", "2", "--bind-to", "none"]
    if os.geteuid() == 0:
        prefix.insert(1, "--allow-run-as-root")
    command = [*prefix, executable, *with_sparse_files(arguments, inputs, tmp_path / "mpi")]
    xml = fit(tmp_path / "mpi", command, configurations)
    log = (tmp_path / "mpi" / "gap_fit.log").read_text()
    assert "MPI parallelisation with 2 processes" in log
    difference = np.abs(forces(xml, tests) - wheel_fit[1]).max()
    # measured 6.6e-7 eV/Å: 2 ranks from the wheel's sparse points reproduce its potential
    assert difference < 1e-5, difference
