"""Errors of a fitted GAP against the reference labels of a set of configurations."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from ase import Atoms

from phonogap.reference.evaluate import map_with_calculator
from phonogap.reference.gap import GapPotential
from phonogap.schemas.keys import (
    CONFIG_TYPE_KEY,
    ENERGY_KEY,
    FORCES_KEY,
    ISOLATED_ATOM,
    VIRIAL_KEY,
)

if TYPE_CHECKING:
    from ase.calculators.calculator import Calculator
    from quippy.potential import Potential

_Prediction = tuple[float, np.ndarray, "np.ndarray | None"]

__all__ = ["TrainingErrors", "load_potential", "prediction_errors"]

logger = logging.getLogger(__name__)

_NO_CONFIG_TYPE = "default"
"""Group of configurations without a config_type (gap_fit's name for it)."""


@dataclass
class TrainingErrors:
    """Root-mean-square errors of a potential against reference labels.

    Attributes
    ----------
    energy_rmse_mev_per_atom
        RMS over configurations of (E_pred - E_ref) / N_atoms (meV/atom); None
        if no configuration has a reference energy.
    force_rmse_ev_per_ang
        RMS over all force components of all atoms (eV/Å); None without forces.
    virial_rmse_ev_per_atom
        RMS over the 9 components of (V_pred - V_ref) / N_atoms (eV/atom); None
        without virials.
    n_configurations
        Configurations evaluated (isolated atoms excluded).
    per_config_type
        The same statistics by config_type: for each, ``n_configurations`` and
        whichever of ``energy_rmse_mev_per_atom``, ``force_rmse_ev_per_ang``,
        ``virial_rmse_ev_per_atom`` have data.
    force_max_abs_error_ev_per_ang
        Largest absolute error of a force component (eV/Å); None without forces.
    """

    energy_rmse_mev_per_atom: float | None
    force_rmse_ev_per_ang: float | None
    virial_rmse_ev_per_atom: float | None
    n_configurations: int
    per_config_type: dict[str, dict[str, float]] = field(default_factory=dict)
    force_max_abs_error_ev_per_ang: float | None = None

    def as_dict(self) -> dict[str, object]:
        """Return a JSON-serialisable dict of all fields."""
        return asdict(self)


def load_potential(xml_path: Path) -> Potential:
    """Load a GAP potential with quippy as an ASE calculator.

    Parameters
    ----------
    xml_path
        The potential xml; its sparseX files must be next to it.

    Returns
    -------
    quippy.potential.Potential
        An ASE calculator.
    """
    xml_path = Path(xml_path)
    if not xml_path.is_file():
        raise FileNotFoundError(f"GAP potential {xml_path} does not exist")
    from quippy.potential import Potential

    return Potential(param_filename=str(xml_path))


class _Accumulator:
    """Sums of squared errors for one group of configurations."""

    def __init__(self) -> None:
        self.n = 0
        self.energy: list[float] = []
        self.force_sq = 0.0
        self.force_n = 0
        self.force_max = 0.0
        self.virial_sq = 0.0
        self.virial_n = 0

    def energy_rmse(self) -> float | None:
        if not self.energy:
            return None
        return float(np.sqrt(np.mean(np.square(self.energy)))) * 1000.0

    def force_rmse(self) -> float | None:
        return float(np.sqrt(self.force_sq / self.force_n)) if self.force_n else None

    def virial_rmse(self) -> float | None:
        return float(np.sqrt(self.virial_sq / self.virial_n)) if self.virial_n else None

    def summary(self) -> dict[str, float]:
        out: dict[str, float] = {"n_configurations": float(self.n)}
        for key, value in (
            ("energy_rmse_mev_per_atom", self.energy_rmse()),
            ("force_rmse_ev_per_ang", self.force_rmse()),
            ("virial_rmse_ev_per_atom", self.virial_rmse()),
        ):
            if value is not None:
                out[key] = value
        return out


def _as_virial(value: object, index: int) -> np.ndarray:
    virial = np.asarray(value, dtype=float)
    if virial.shape == (9,):
        virial = virial.reshape((3, 3), order="F")
    if virial.shape != (3, 3):
        raise ValueError(f"configuration {index}: virial has shape {virial.shape}, expected (3, 3)")
    return virial


def _predict(item: tuple[Atoms, bool], calculator: Calculator) -> _Prediction:
    """Energy, forces and (if asked) virial of one configuration (runs in a worker)."""
    atoms, with_virial = item
    atoms.calc = calculator
    virial = -atoms.get_stress(voigt=False) * atoms.get_volume() if with_virial else None
    return float(atoms.get_potential_energy()), np.array(atoms.get_forces()), virial


def prediction_errors(
    xml_path: Path,
    configurations: Sequence[Atoms],
    *,
    energy_key: str = ENERGY_KEY,
    force_key: str = FORCES_KEY,
    virial_key: str = VIRIAL_KEY,
    config_type_key: str = CONFIG_TYPE_KEY,
    n_workers: int | None = None,
) -> TrainingErrors:
    """Evaluate a GAP on configurations and compare with their reference labels.

    Parameters
    ----------
    xml_path
        The potential.
    configurations
        Atoms with reference labels (``info[energy_key]`` in eV,
        ``arrays[force_key]`` in eV/Å, ``info[virial_key]`` in eV); any label
        may be missing. Isolated atoms (config_type ``isolated_atom``) are
        skipped. The configurations are not modified.
    energy_key, force_key, virial_key, config_type_key
        Label names.
    n_workers
        Processes for the predictions (default: the available cores; 1: this process).

    Returns
    -------
    TrainingErrors
        Overall and per-config_type RMS errors.
    """
    xml_path = Path(xml_path)
    if not xml_path.is_file():
        raise FileNotFoundError(f"GAP potential {xml_path} does not exist")
    selected: list[tuple[int, Atoms, str]] = []
    items: list[tuple[Atoms, bool]] = []
    for index, reference in enumerate(configurations):
        config_type = str(reference.info.get(config_type_key, _NO_CONFIG_TYPE))
        if config_type == ISOLATED_ATOM:
            continue
        has_virial = virial_key in reference.info and bool(np.all(reference.pbc))
        if not (energy_key in reference.info or force_key in reference.arrays or has_virial):
            logger.debug("configuration %d has no reference labels; skipped", index)
            continue
        bare = Atoms(
            numbers=reference.numbers,
            positions=reference.positions,
            cell=reference.cell,
            pbc=reference.pbc,
        )
        selected.append((index, reference, config_type))
        items.append((bare, has_virial))
    predictions = map_with_calculator(
        GapPotential(xml_path=str(xml_path)), _predict, items, n_workers
    )
    total = _Accumulator()
    groups: dict[str, _Accumulator] = {}
    for (index, reference, config_type), (energy, forces, virial) in zip(
        selected, predictions, strict=True
    ):
        n_atoms = len(reference)
        group = groups.setdefault(config_type, _Accumulator())
        for acc in (total, group):
            acc.n += 1
        if energy_key in reference.info:
            error = (energy - float(reference.info[energy_key])) / n_atoms
            for acc in (total, group):
                acc.energy.append(error)
        if force_key in reference.arrays:
            diff = forces - np.asarray(reference.arrays[force_key], dtype=float)
            for acc in (total, group):
                acc.force_sq += float(np.sum(diff**2))
                acc.force_n += diff.size
                acc.force_max = max(acc.force_max, float(np.max(np.abs(diff))))
        if virial is not None:
            diff = (virial - _as_virial(reference.info[virial_key], index)) / n_atoms
            for acc in (total, group):
                acc.virial_sq += float(np.sum(diff**2))
                acc.virial_n += diff.size
    return TrainingErrors(
        energy_rmse_mev_per_atom=total.energy_rmse(),
        force_rmse_ev_per_ang=total.force_rmse(),
        virial_rmse_ev_per_atom=total.virial_rmse(),
        n_configurations=total.n,
        per_config_type={name: acc.summary() for name, acc in sorted(groups.items())},
        force_max_abs_error_ev_per_ang=total.force_max if total.force_n else None,
    )
