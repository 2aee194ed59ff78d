"""A JSON/BSON-friendly form of one (possibly labelled) atomic configuration.

ASE ``Atoms`` carry labels in free-form ``info``/``arrays`` dictionaries that neither
pymatgen's ``MSONAtoms`` nor BSON keep; this model names every field phonogap uses, with
units, so a configuration stored in MongoDB can be queried and turned back into ``Atoms``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ase import Atoms
from pydantic import BaseModel, Field

from phonogap.schemas.keys import (
    CONFIG_TYPE_KEY,
    ENERGY_KEY,
    FORCE_ATOM_SIGMA_KEY,
    FORCES_KEY,
    SOURCE_KEY,
    VIRIAL_KEY,
)

_INFO_FIELDS = {ENERGY_KEY, VIRIAL_KEY, CONFIG_TYPE_KEY, SOURCE_KEY}


class Configuration(BaseModel):
    """One configuration with optional reference labels."""

    symbols: list[str]
    positions_ang: list[list[float]] = Field(description="Cartesian positions (Å)")
    cell_ang: list[list[float]] = Field(description="Lattice vectors as rows (Å)")
    pbc: tuple[bool, bool, bool] = (True, True, True)
    config_type: str = Field(description="Kind of configuration, e.g. single_displacement")
    source: str = Field("", description="Name of the structure it was built from")
    energy_ev: float | None = Field(None, description="Reference total energy (eV)")
    forces_ev_per_ang: list[list[float]] | None = Field(None, description="Forces (eV/Å)")
    virial_ev: list[list[float]] | None = Field(None, description="Virial, -stress*volume (eV)")
    force_atom_sigma_ev_per_ang: list[float] | None = Field(
        None, description="Per-atom force regularisation, Eq. 8 (eV/Å)"
    )
    info: dict[str, float | int | str | bool] = Field(
        default_factory=dict, description="Other scalar metadata (e.g. displacement_index)"
    )

    @classmethod
    def from_atoms(cls, atoms: Atoms) -> Configuration:
        """Convert ASE Atoms holding phonogap keys.

        Parameters
        ----------
        atoms
            A configuration; labels in ``info``/``arrays`` under the keys of
            :mod:`phonogap.schemas.keys`.

        Returns
        -------
        Configuration
            The serialisable configuration.
        """
        energy = atoms.info.get(ENERGY_KEY)
        forces = atoms.arrays.get(FORCES_KEY)
        virial = atoms.info.get(VIRIAL_KEY)
        sigma = atoms.arrays.get(FORCE_ATOM_SIGMA_KEY)
        extra = {
            key: _scalar(value)
            for key, value in atoms.info.items()
            if key not in _INFO_FIELDS and np.ndim(value) == 0
        }
        return cls(
            symbols=atoms.get_chemical_symbols(),
            positions_ang=atoms.positions.tolist(),
            cell_ang=np.asarray(atoms.cell).tolist(),
            pbc=tuple(bool(p) for p in atoms.pbc),
            config_type=str(atoms.info.get(CONFIG_TYPE_KEY, "unknown")),
            source=str(atoms.info.get(SOURCE_KEY, "")),
            energy_ev=None if energy is None else float(energy),
            forces_ev_per_ang=None if forces is None else np.asarray(forces).tolist(),
            virial_ev=None if virial is None else np.reshape(virial, (3, 3)).tolist(),
            force_atom_sigma_ev_per_ang=None if sigma is None else np.asarray(sigma).tolist(),
            info=extra,
        )

    def to_atoms(self) -> Atoms:
        """Convert back to ASE Atoms with phonogap keys.

        Returns
        -------
        Atoms
            Without a calculator; labels in ``info``/``arrays``.
        """
        atoms = Atoms(
            symbols=self.symbols, positions=self.positions_ang, cell=self.cell_ang, pbc=self.pbc
        )
        atoms.info.update(self.info)
        atoms.info[CONFIG_TYPE_KEY] = self.config_type
        atoms.info[SOURCE_KEY] = self.source
        if self.energy_ev is not None:
            atoms.info[ENERGY_KEY] = self.energy_ev
        if self.virial_ev is not None:
            atoms.info[VIRIAL_KEY] = np.array(self.virial_ev)
        if self.forces_ev_per_ang is not None:
            atoms.arrays[FORCES_KEY] = np.array(self.forces_ev_per_ang, dtype=float)
        if self.force_atom_sigma_ev_per_ang is not None:
            atoms.arrays[FORCE_ATOM_SIGMA_KEY] = np.array(self.force_atom_sigma_ev_per_ang)
        return atoms


def _scalar(value: object) -> float | int | str | bool:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float | int | str | bool):
        return value
    return str(value)


def to_configurations(atoms_list: Sequence[Atoms]) -> list[Configuration]:
    """Convert a list of Atoms.

    Parameters
    ----------
    atoms_list
        Configurations.

    Returns
    -------
    list of Configuration
        Serialisable copies.
    """
    return [Configuration.from_atoms(atoms) for atoms in atoms_list]


def to_atoms_list(configurations: Sequence[Configuration]) -> list[Atoms]:
    """Convert configurations back to Atoms.

    Parameters
    ----------
    configurations
        Stored configurations.

    Returns
    -------
    list of Atoms
        ASE Atoms with phonogap keys.
    """
    return [configuration.to_atoms() for configuration in configurations]
