"""A general-purpose base database generated with the reference itself.

It stands in for GAP-18's database where no DFT database is at hand: snapshots of
melt–quench MD (defective diamond, liquid, amorphous) driven and labelled by the reference,
strained and rattled diamond cells, and the isolated atom, each with its config_type. With the
``sw`` reference every check downstream has an exact ground truth.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np
from ase import Atoms
from ase.build import bulk
from pydantic import BaseModel, ConfigDict, Field, model_validator

from phonogap.database.isolated_atom import isolated_atom
from phonogap.md.protocol import (
    AMORPHOUS,
    DEFECTIVE_CRYSTAL,
    LIQUID,
    PHASE_KEY,
    MeltQuenchSettings,
    run_melt_quench_isolated,
)
from phonogap.schemas.keys import CONFIG_TYPE_KEY, SOURCE_KEY
from phonogap.schemas.presets import expand_preset

if TYPE_CHECKING:
    from phonogap.reference.base import Reference

logger = logging.getLogger(__name__)

STRAINED_DIAMOND = "dia"
"""config_type of the strained, rattled diamond cells (GAP-18's name for diamond)."""


def _general_md() -> MeltQuenchSettings:
    return MeltQuenchSettings(
        supercell_repeat=2,
        n_vacancies=2,
        seed=101,
        timestep_fs=2.0,
        melt_temperature_k=1800.0,
        superheat_temperature_k=3000.0,
        crystal_steps=500,
        heating_steps=200,
        liquid_steps=1000,
        cooling_rate_k_per_ps=1000.0,
        amorphous_steps=1000,
        snapshot_interval_steps=50,
        thermostat_time_fs=50.0,
        barostat_time_fs=200.0,
    )


class GeneralDatabaseSettings(BaseModel):
    """What goes into the generated general-purpose database."""

    model_config = ConfigDict(extra="forbid")

    md: MeltQuenchSettings = Field(
        default_factory=_general_md,
        description="Melt-quench run whose snapshots are the liquid/amorphous/defect data "
        "(default: 62 atoms, 1,800 K liquid after a 3,000 K superheat, 1e15 K/s quench, "
        "a snapshot every 100 fs: 10 defect, 20 liquid, 20 amorphous snapshots).",
    )
    phase_config_types: dict[str, str] = Field(
        default_factory=lambda: {
            DEFECTIVE_CRYSTAL: "vacancy",
            LIQUID: "liq",
            AMORPHOUS: "amorph",
        },
        description="MD phase to config_type (GAP-18's names); phases not listed are dropped.",
    )
    n_strained: int = Field(20, ge=0, description="Strained diamond cells (count).")
    strained_repeat: int = Field(2, ge=1, description="Cubic diamond repeats per axis.")
    max_strain: float = Field(0.03, ge=0, description="Largest strain component (fraction).")
    rattle_std_ang: float = Field(0.05, ge=0, description="Rattle of strained cells (Å).")
    lattice_constant_ang: float = Field(5.431, gt=0, description="Unstrained diamond a (Å).")
    seed: int = Field(7, description="Seed of the strains and rattles.")

    @model_validator(mode="before")
    @classmethod
    def _expand_preset(cls, data: Any) -> Any:
        return expand_preset(data, {"default": cls, "ci": cls.ci})

    @classmethod
    def ci(cls) -> GeneralDatabaseSettings:
        """Return a preset that builds in seconds: 300 MD steps of 62 atoms, 6 strained cells.

        3 defect, 4 liquid (3,000 K) and 4 amorphous snapshots.
        """
        md = MeltQuenchSettings.ci().model_copy(
            update={
                "seed": 101,
                "crystal_steps": 60,
                "heating_steps": 40,
                "liquid_steps": 80,
                "cooling_rate_k_per_ps": 27000.0,
                "amorphous_steps": 80,
                "snapshot_interval_steps": 20,
            }
        )
        return cls(md=md, n_strained=6)


def strained_diamond(settings: GeneralDatabaseSettings) -> list[Atoms]:
    """Diamond supercells under random symmetric strains, rattled.

    Parameters
    ----------
    settings
        Count, size, strain amplitude, rattle and seed.

    Returns
    -------
    list of Atoms
        config_type ``dia``.
    """
    rng = np.random.default_rng(settings.seed)
    cells = []
    for index in range(settings.n_strained):
        atoms = bulk("Si", "diamond", a=settings.lattice_constant_ang, cubic=True)
        atoms = atoms.repeat((settings.strained_repeat,) * 3)
        strain = rng.uniform(-settings.max_strain, settings.max_strain, (3, 3))
        strain = 0.5 * (strain + strain.T)
        atoms.set_cell(np.asarray(atoms.cell) @ (np.eye(3) + strain), scale_atoms=True)
        atoms.positions += rng.normal(0.0, settings.rattle_std_ang, atoms.positions.shape)
        atoms.info[CONFIG_TYPE_KEY] = STRAINED_DIAMOND
        atoms.info[SOURCE_KEY] = f"strained_diamond_{index}"
        cells.append(atoms)
    return cells


def general_configurations(
    settings: GeneralDatabaseSettings, md_reference: Reference
) -> list[Atoms]:
    """Generate the unlabelled general-purpose configurations.

    Parameters
    ----------
    settings
        What to generate.
    md_reference
        Drives the melt–quench MD (in a child process, see
        :func:`~phonogap.md.protocol.run_melt_quench_isolated`).

    Returns
    -------
    list of Atoms
        MD snapshots relabelled with their config_type, strained diamond, the isolated atom.
    """
    run = run_melt_quench_isolated(md_reference, settings.md)
    configurations = []
    for snapshot in run.snapshots:
        config_type = settings.phase_config_types.get(str(snapshot.info[PHASE_KEY]))
        if config_type is None:
            continue
        snapshot.info[CONFIG_TYPE_KEY] = config_type
        snapshot.info[SOURCE_KEY] = f"melt_quench_{snapshot.info['md_step']}"
        configurations.append(snapshot)
    configurations += strained_diamond(settings)
    configurations.append(isolated_atom(settings.md.element))
    logger.info("general database: %d configurations", len(configurations))
    return configurations
