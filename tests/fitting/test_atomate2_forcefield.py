"""A fitted GAP in atomate2's force-field Makers.

Measured with the installed atomate2 and no torch: ``import atomate2.forcefields.jobs``
works, and atomate2 builds the GAP calculator (``quippy.potential.Potential``) without
torch, but *running* any force-field job fails with ``ModuleNotFoundError: No module named
'torch'``: ``ForceFieldMixin._run_ase_safe`` enters ``revert_default_dtype()``
(``atomate2/forcefields/utils.py``), which does ``import torch`` to save and restore
``torch.get_default_dtype()`` around every calculation, whatever the force field.

So the helper is checked (1) against atomate2's source-level expectations (``MLFF.GAP`` and
the GAP keys of ``_DEFAULT_CALCULATOR_KWARGS``), (2) with the calculator the Maker itself
builds (``ase_calculator(maker.calculator_meta, **maker.calculator_kwargs)``) and (3) by
running a real ``ForceFieldStaticMaker`` job with a two-function stand-in for torch's
default-dtype bookkeeping put in ``sys.modules`` for that test only (torch is not installed,
and the job's GAP arithmetic never touches it).
"""

from __future__ import annotations

import sys
import types
from importlib.machinery import ModuleSpec

import numpy as np
import pytest
from ase.build import bulk
from jobflow import run_locally
from pymatgen.io.ase import AseAtomsAdaptor

from phonogap.database.isolated_atom import isolated_atom
from phonogap.fitting.atomate2_forcefield import forcefield_kwargs
from phonogap.fitting.fit_in_directory import fit_gap_in_directory
from phonogap.fitting.hyperparameters import GapHyperparameters
from phonogap.reference import evaluate_configurations, get_reference


@pytest.fixture(scope="module")
def fit(tmp_path_factory):
    configurations = []
    for seed in range(3):
        atoms = bulk("Si", "diamond", a=5.431, cubic=True)
        atoms.rattle(0.03, seed=seed)
        atoms.info["config_type"] = "randomised"
        configurations.append(atoms)
    configurations.append(isolated_atom("Si"))
    labelled = evaluate_configurations(get_reference("sw"), configurations, n_workers=1)
    return fit_gap_in_directory(
        labelled,
        GapHyperparameters.small().with_n_sparse(20),
        tmp_path_factory.mktemp("gap"),
        f=None,
    )


def test_kwargs_match_atomate2s_gap_calculator(fit):
    from atomate2.forcefields.utils import _DEFAULT_CALCULATOR_KWARGS, MLFF

    kwargs = forcefield_kwargs(fit)
    assert MLFF(kwargs["force_field_name"]) is MLFF.GAP
    assert set(kwargs["calculator_kwargs"]) == set(_DEFAULT_CALCULATOR_KWARGS[MLFF.GAP])
    assert kwargs["calculator_kwargs"]["args_str"] == "IP GAP"
    assert kwargs["calculator_kwargs"]["param_filename"] == fit.potential_xml
    assert forcefield_kwargs(fit.potential_xml) == kwargs


def test_missing_xml_names_fetch_potential(tmp_path):
    with pytest.raises(FileNotFoundError, match="fetch_potential"):
        forcefield_kwargs(tmp_path / "gap.xml")


def rattled_diamond():
    atoms = bulk("Si", "diamond", a=5.40, cubic=True)
    atoms.rattle(0.05, seed=5)
    return atoms


def test_the_makers_own_calculator_is_the_fitted_gap(fit):
    from atomate2.forcefields.jobs import ForceFieldStaticMaker
    from atomate2.forcefields.utils import ase_calculator
    from quippy.potential import Potential

    maker = ForceFieldStaticMaker(**forcefield_kwargs(fit))
    assert maker.calculator_kwargs["param_filename"] == fit.potential_xml
    atoms = rattled_diamond()
    atoms.calc = ase_calculator(maker.calculator_meta, **maker.calculator_kwargs)
    energy, forces = atoms.get_potential_energy(), atoms.get_forces()
    atoms.calc = Potential(param_filename=fit.potential_xml)
    assert energy == pytest.approx(atoms.get_potential_energy(), abs=1e-10)
    np.testing.assert_allclose(forces, atoms.get_forces(), rtol=0, atol=1e-10)


def torch_dtype_stand_in() -> types.ModuleType:
    """The two functions atomate2's ``revert_default_dtype`` calls, nothing else."""
    module = types.ModuleType("torch")
    module.__spec__ = ModuleSpec("torch", None)
    state = {"dtype": "float32"}
    module.get_default_dtype = lambda: state["dtype"]
    module.set_default_dtype = lambda dtype: state.update(dtype=dtype)
    return module


def test_atomate2_static_job_gives_the_gap_energy(fit, tmp_path, monkeypatch):
    from atomate2.forcefields.jobs import ForceFieldStaticMaker
    from quippy.potential import Potential

    atoms = rattled_diamond()
    structure = AseAtomsAdaptor.get_structure(atoms)
    job = ForceFieldStaticMaker(**forcefield_kwargs(fit)).make(structure)
    try:
        import torch  # noqa: F401
    except ImportError:
        monkeypatch.setitem(sys.modules, "torch", torch_dtype_stand_in())
    responses = run_locally(job, create_folders=True, root_dir=tmp_path, log=False)
    monkeypatch.undo()
    task = responses[job.uuid][1].output

    atoms.calc = Potential(param_filename=fit.potential_xml)
    assert task.output.energy == pytest.approx(atoms.get_potential_energy(), abs=1e-8)
    np.testing.assert_allclose(task.output.forces, atoms.get_forces(), atol=1e-8)
    assert np.abs(atoms.get_forces()).max() > 1e-3
