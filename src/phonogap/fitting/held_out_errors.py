"""Errors of a potential on a held-out test set: energy, force and stress RMS per group.

Works on any labelled dataset (an importer's :class:`ImportedDataset`, a labelled document,
or a list of ``Atoms`` with ``REF_*`` keys), grouped by ``config_type`` or any other
``info`` key (the mlearn data's ``group``). Stress is compared in GPa from the virial:
``stress = -virial / volume``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
from ase import Atoms
from ase.units import GPa
from pydantic import BaseModel, Field

from phonogap.reference.base import Reference
from phonogap.reference.evaluate import map_with_calculator
from phonogap.schemas.keys import (
    CONFIG_TYPE_KEY,
    ENERGY_KEY,
    FORCES_KEY,
    ISOLATED_ATOM,
    VIRIAL_KEY,
)
from phonogap.schemas.provenance import ReferenceProvenance

logger = logging.getLogger(__name__)

ALL = "all"
"""Name of the group holding every configuration."""


class GroupErrors(BaseModel):
    """RMS errors of one group of configurations."""

    n_configurations: int
    n_atoms: int
    energy_rmse_mev_per_atom: float | None = Field(None, description="RMS of ΔE/N (meV/atom)")
    energy_mae_mev_per_atom: float | None = Field(None, description="Mean |ΔE|/N (meV/atom)")
    force_rmse_ev_per_ang: float | None = Field(None, description="RMS force component (eV/Å)")
    stress_rmse_gpa: float | None = Field(None, description="RMS stress component (GPa)")


class HeldOutErrorsDocument(BaseModel):
    """Errors of one potential on a labelled test set, overall and per group."""

    potential: ReferenceProvenance = Field(description="Provenance of the evaluated potential")
    group_key: str
    groups: dict[str, GroupErrors] = Field(description="Group name (and 'all') to errors")


def predict(atoms: Atoms, calculator: Any) -> dict[str, Any]:
    """Energy (eV), forces (eV/Å) and, for periodic cells, stress (eV/Å³, 3x3) of one cell.

    Parameters
    ----------
    atoms
        The configuration (labels are ignored).
    calculator
        The potential.

    Returns
    -------
    dict
        ``energy``, ``forces`` and ``stress`` (None for non-periodic cells).
    """
    work = Atoms(numbers=atoms.numbers, positions=atoms.positions, cell=atoms.cell, pbc=atoms.pbc)
    work.calc = calculator
    stress = work.get_stress(voigt=False) if all(work.pbc) else None
    return {
        "energy": float(work.get_potential_energy()),
        "forces": np.array(work.get_forces()),
        "stress": None if stress is None else np.array(stress),
    }


def held_out_errors(
    potential: Reference,
    configurations: Sequence[Atoms],
    group_key: str = CONFIG_TYPE_KEY,
    n_workers: int | None = None,
) -> HeldOutErrorsDocument:
    """Evaluate a potential on labelled configurations and report errors per group.

    Parameters
    ----------
    potential
        The potential (e.g. :class:`~phonogap.reference.gap.GapPotential`).
    configurations
        Labelled configurations; isolated atoms are skipped.
    group_key
        ``info`` key that names the group (``config_type``, or ``group`` for mlearn data).
    n_workers
        Processes.

    Returns
    -------
    HeldOutErrorsDocument
        Per group and ``all``: energy RMS and MAE (meV/atom), force RMS (eV/Å), stress RMS
        (GPa, where the data have virials).
    """
    selected = [a for a in configurations if a.info.get(CONFIG_TYPE_KEY) != ISOLATED_ATOM]
    if not selected:
        raise ValueError("held_out_errors: no labelled configurations to evaluate")
    predictions = map_with_calculator(potential, predict, selected, n_workers)
    buckets: dict[str, dict[str, list]] = {}
    for atoms, predicted in zip(selected, predictions, strict=True):
        group = str(atoms.info.get(group_key, "default"))
        for name in (group, ALL):
            bucket = buckets.setdefault(
                name, {"n": [0], "atoms": [0], "energy": [], "force": [], "stress": []}
            )
            bucket["n"][0] += 1
            bucket["atoms"][0] += len(atoms)
            if ENERGY_KEY in atoms.info:
                bucket["energy"].append(
                    (predicted["energy"] - float(atoms.info[ENERGY_KEY])) / len(atoms)
                )
            if FORCES_KEY in atoms.arrays:
                bucket["force"].append(
                    (predicted["forces"] - np.asarray(atoms.arrays[FORCES_KEY])).ravel()
                )
            if VIRIAL_KEY in atoms.info and predicted["stress"] is not None:
                reference = -np.reshape(atoms.info[VIRIAL_KEY], (3, 3)) / atoms.get_volume()
                bucket["stress"].append(((predicted["stress"] - reference) / GPa).ravel())
    groups = {name: _summarise(bucket) for name, bucket in sorted(buckets.items())}
    logger.info("held-out errors (%s): %s", group_key, groups[ALL])
    return HeldOutErrorsDocument(
        potential=potential.provenance(), group_key=group_key, groups=groups
    )


def _summarise(bucket: dict[str, list]) -> GroupErrors:
    energy = np.array(bucket["energy"]) * 1000.0
    force = np.concatenate(bucket["force"]) if bucket["force"] else None
    stress = np.concatenate(bucket["stress"]) if bucket["stress"] else None
    return GroupErrors(
        n_configurations=bucket["n"][0],
        n_atoms=bucket["atoms"][0],
        energy_rmse_mev_per_atom=float(np.sqrt(np.mean(energy**2))) if energy.size else None,
        energy_mae_mev_per_atom=float(np.mean(np.abs(energy))) if energy.size else None,
        force_rmse_ev_per_ang=None if force is None else float(np.sqrt(np.mean(force**2))),
        stress_rmse_gpa=None if stress is None else float(np.sqrt(np.mean(stress**2))),
    )
