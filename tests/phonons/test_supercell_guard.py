"""Supercells are checked against max_supercell_atoms before phonopy/phono3py build them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from pymatgen.core import Lattice, Structure

import phonogap.jobs.phonons as phonon_jobs
import phonogap.phonons.kappa as kappa_module
from phonogap.phonons.benchmark import likely_collapse_cause
from phonogap.phonons.kappa import make_phono3py
from phonogap.phonons.settings import PhononSettings
from phonogap.phonons.supercell_guard import (
    SupercellTooLargeError,
    check_supercell_size,
    supercell_atoms,
)
from phonogap.schemas.configuration import Configuration
from phonogap.schemas.kappa import KappaSettings


def _diamond_primitive() -> Structure:
    cubic = Structure.from_spacegroup("Fd-3m", Lattice.cubic(5.43), ["Si"], [[0, 0, 0]])
    return cubic.get_primitive_structure()


def _must_not_build(*args, **kwargs):
    raise AssertionError("a supercell was built although it is too large")


def test_supercell_atoms_counts_the_determinant():
    assert supercell_atoms(2, [4, 4, 4]) == 128
    assert supercell_atoms(2, [[0, 1, 1], [1, 0, 1], [1, 1, 0]]) == 4  # fcc -> cubic, det 2
    assert supercell_atoms(68, [[2, 0, 0], [0, 2, 0], [0, 0, 1]]) == 272


def test_check_names_structure_size_and_setting():
    assert check_supercell_size("mp-149", 2, [4, 4, 4], 128, "phonons.max_supercell_atoms") == 128
    assert check_supercell_size("mp-149", 2, [40, 40, 40], None, "x") == 128000
    with pytest.raises(SupercellTooLargeError) as info:
        check_supercell_size("mp-149", 2, [5, 5, 5], 128, "phonons.max_supercell_atoms")
    assert str(info.value) == (
        "mp-149: the phonopy supercell [5, 5, 5] of the 2-atom cell has 250 atoms, more than "
        "phonons.max_supercell_atoms=128; nothing was built. Raise "
        "phonons.max_supercell_atoms if the machine can afford it, or choose a smaller supercell"
    )


def test_phonon_benchmark_refuses_before_building_anything(monkeypatch):
    monkeypatch.setattr(phonon_jobs, "reference_phonopy", _must_not_build)
    monkeypatch.setattr(phonon_jobs, "GapPotential", _must_not_build)
    setup = SimpleNamespace(
        name="mp-149",
        unitcell=_diamond_primitive(),
        supercell_matrix=[[4, 0, 0], [0, 4, 0], [0, 0, 4]],
    )
    with pytest.raises(SupercellTooLargeError, match="has 128 atoms, more than phonons"):
        phonon_jobs.benchmark_structure.original(
            setup, None, None, phonon_settings=PhononSettings(max_supercell_atoms=100)
        )
    assert PhononSettings().max_supercell_atoms == 1000  # the bundled data need <= 272


def test_phono3py_refuses_fc3_and_fc2_supercells_before_building(monkeypatch):
    monkeypatch.setattr(kappa_module, "Phono3py", _must_not_build)
    diamond = _diamond_primitive()
    # conventional 8-atom cell, 2x2x2 from min_length_ang=10: 64 atoms
    with pytest.raises(SupercellTooLargeError) as info:
        make_phono3py(diamond, KappaSettings(max_supercell_atoms=32), name="Si diamond")
    message = str(info.value)
    assert message.startswith("Si diamond: the phono3py fc3 supercell [[2, 0, 0], [0, 2, 0]")
    assert "64 atoms, more than kappa.settings.max_supercell_atoms=32" in message
    settings = KappaSettings(
        supercell_matrix=[1, 1, 1], phonon_supercell_matrix=[4, 4, 4], max_supercell_atoms=100
    )
    with pytest.raises(SupercellTooLargeError, match=r"fc2 supercell .* has 512 atoms"):
        make_phono3py(diamond, settings)


def _configuration(source: str, virial: bool) -> Configuration:
    return Configuration(
        symbols=["Si"],
        positions_ang=[[0.0, 0.0, 0.0]],
        cell_ang=[[3.0, 0, 0], [0, 3.0, 0], [0, 0, 3.0]],
        config_type="single_displacement",
        source=source,
        forces_ev_per_ang=[[0.0, 0.0, 0.0]],
        virial_ev=[[0.0] * 3] * 3 if virial else None,
    )


def test_likely_cause_names_equilibrium_for_forces_only_data():
    forces_only = [_configuration("mp-149", False), _configuration("mp-168", False)]
    cause = likely_collapse_cause(forces_only, "mp-149")
    assert cause.startswith("the training data are forces-only")
    assert "`equilibrium` is not set" in cause
    assert "equilibrium: {enabled: true}" in cause

    other_has_stress = [_configuration("mp-149", False), _configuration("mp-168", True)]
    cause = likely_collapse_cause(other_has_stress, "mp-149")
    assert cause.startswith("no training configuration of mp-149 has a stress")
    assert "equilibrium: {enabled: true}" in cause

    cause = likely_collapse_cause([_configuration("mp-149", True)], "mp-149")
    assert "equilibrium" not in cause
    assert "check the fit" in cause


def test_database_refuses_large_supercells_before_generating(monkeypatch):
    import phonogap.database.generate as generate
    import phonogap.jobs.database as database_jobs
    from phonogap.database.settings import DatabaseSettings

    monkeypatch.setattr(generate, "single_displacement_supercells", _must_not_build)
    relaxation = SimpleNamespace(kept=lambda: {"mp-149": _diamond_primitive()})
    # 15 Å on the 3.84 Å primitive vectors: 4x4x4, 128 atoms
    with pytest.raises(SupercellTooLargeError) as info:
        database_jobs.build_database.original(relaxation, DatabaseSettings(max_supercell_atoms=100))
    assert str(info.value).startswith("mp-149: the phonopy supercell [[4, 0, 0], [0, 4, 0]")
    assert "128 atoms, more than database.max_supercell_atoms=100" in str(info.value)
    assert DatabaseSettings().max_supercell_atoms == 1000
