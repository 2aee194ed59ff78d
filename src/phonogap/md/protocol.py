"""The melt–quench protocol of the paper: defective diamond → liquid → amorphous, NPT MD.

A diamond supercell (512 atoms by default) with vacancies removed at random (12 by default,
seeded) is equilibrated at 300 K, heated to 1,800 K, held as a liquid, cooled at a fixed rate
(the paper: 1e13 K/s = 10 K/ps) to 300 K and held as an amorphous solid. The integrator is
ASE's :class:`~ase.md.nptberendsen.NPTBerendsen` (Berendsen thermostat and isotropic barostat):
its target temperature can be changed every step, which is what the heating and cooling ramps
need, and it is robust through melting. A snapshot is taken every ``snapshot_interval_steps``
steps; each carries its phase, target and instantaneous temperature and density.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from ase import Atoms, units
from ase.build import bulk
from ase.md.nptberendsen import NPTBerendsen
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution, Stationary
from pydantic import BaseModel, ConfigDict, Field, model_validator

from phonogap.reference.evaluate import call_with_calculator
from phonogap.schemas.keys import CONFIG_TYPE_KEY, SOURCE_KEY
from phonogap.schemas.presets import expand_preset

if TYPE_CHECKING:
    from ase.calculators.calculator import Calculator

    from phonogap.reference.base import Reference

logger = logging.getLogger(__name__)

DEFECTIVE_CRYSTAL = "defective_crystal"
HEATING = "heating"
LIQUID = "liquid"
COOLING = "cooling"
AMORPHOUS = "amorphous"
PHASES = (DEFECTIVE_CRYSTAL, HEATING, LIQUID, COOLING, AMORPHOUS)
"""Segments of the protocol, in order."""
BENCHMARK_PHASES = (DEFECTIVE_CRYSTAL, LIQUID, AMORPHOUS)
"""The three parts the paper reports errors for (the ramps are not reported)."""

PHASE_KEY = "md_phase"
"""``atoms.info`` key of the protocol segment a snapshot was taken in."""

_AMU_PER_ANG3_TO_G_PER_CM3 = 1.66053906660


class MeltQuenchSettings(BaseModel):
    """Every number of the melt–quench protocol.

    Defaults are the paper's protocol except the segment lengths, which the paper does not
    fix beyond "a snapshot every 10 ps" and the 1e13 K/s cooling rate; :meth:`paper` and
    :meth:`ci` give the two scales used by phonogap.
    """

    model_config = ConfigDict(extra="forbid")

    element: str = Field("Si", description="Chemical symbol of the diamond-structure crystal.")
    lattice_constant_ang: float = Field(5.431, gt=0, description="Cubic diamond a (Å).")
    supercell_repeat: int = Field(
        4, ge=1, description="Repeats of the 8-atom cubic cell per axis (4: 512 atoms)."
    )
    n_vacancies: int = Field(12, ge=0, description="Atoms removed at random (count).")
    seed: int = Field(0, description="Seed of vacancy positions and initial velocities.")
    timestep_fs: float = Field(1.0, gt=0, description="MD timestep (fs).")
    low_temperature_k: float = Field(
        300.0, gt=0, description="Temperature of the defective crystal and the amorphous solid."
    )
    melt_temperature_k: float = Field(1800.0, gt=0, description="Liquid temperature (K).")
    superheat_temperature_k: float | None = Field(
        None,
        gt=0,
        description="If set, the heating ramp ends here and the liquid part starts by "
        "dropping to melt_temperature_k: small cells and short runs melt faster (K).",
    )
    crystal_steps: int = Field(10000, ge=0, description="Steps at low T before heating.")
    superheat_steps: int = Field(
        0, ge=0, description="Steps held at superheat_temperature_k (part of the heating)."
    )
    heating_steps: int = Field(10000, ge=0, description="Steps of the linear heating ramp.")
    liquid_steps: int = Field(50000, ge=0, description="Steps held at the melt temperature.")
    cooling_rate_k_per_ps: float = Field(
        10.0, gt=0, description="Quench rate (K/ps); the paper's 1e13 K/s is 10 K/ps."
    )
    amorphous_steps: int = Field(50000, ge=0, description="Steps held at low T after cooling.")
    snapshot_interval_steps: int = Field(
        10000, ge=1, description="Steps between snapshots (the paper: 10 ps)."
    )
    thermo_interval_steps: int = Field(
        10, ge=1, description="Steps between temperature/density log entries."
    )
    pressure_gpa: float = Field(0.0, description="Barostat target pressure (GPa).")
    thermostat_time_fs: float = Field(100.0, gt=0, description="Berendsen taut (fs).")
    barostat_time_fs: float = Field(1000.0, gt=0, description="Berendsen taup (fs).")
    bulk_modulus_gpa: float = Field(
        100.0, gt=0, description="Bulk modulus the barostat assumes (GPa; Si: ~98)."
    )

    @model_validator(mode="before")
    @classmethod
    def _expand_preset(cls, data: Any) -> Any:
        return expand_preset(data, {"paper": cls.paper, "ci": cls.ci})

    @model_validator(mode="after")
    def _enough_atoms(self) -> MeltQuenchSettings:
        if self.n_vacancies >= self.n_atoms_perfect:
            raise ValueError(
                f"n_vacancies ({self.n_vacancies}) must be smaller than the "
                f"{self.n_atoms_perfect} atoms of the {self.supercell_repeat}³ supercell"
            )
        if self.melt_temperature_k <= self.low_temperature_k:
            raise ValueError("melt_temperature_k must be above low_temperature_k")
        return self

    @property
    def n_atoms_perfect(self) -> int:
        """Atoms of the supercell before vacancies are made (count)."""
        return 8 * self.supercell_repeat**3

    @property
    def cooling_steps(self) -> int:
        """Steps of the cooling ramp, from the rate (count)."""
        span_k = self.melt_temperature_k - self.low_temperature_k
        return round(span_k / self.cooling_rate_k_per_ps * 1000.0 / self.timestep_fs)

    def segments(self) -> list[tuple[str, int, float, float]]:
        """List the protocol as ``(phase, steps, T_start_K, T_end_K)``."""
        low, high = self.low_temperature_k, self.melt_temperature_k
        return [
            (DEFECTIVE_CRYSTAL, self.crystal_steps, low, low),
            (HEATING, self.heating_steps, low, self.superheat_temperature_k or high),
            (
                HEATING,
                self.superheat_steps if self.superheat_temperature_k else 0,
                self.superheat_temperature_k or high,
                self.superheat_temperature_k or high,
            ),
            (LIQUID, self.liquid_steps, high, high),
            (COOLING, self.cooling_steps, high, low),
            (AMORPHOUS, self.amorphous_steps, low, low),
        ]

    @property
    def total_steps(self) -> int:
        """All MD steps of the protocol (count)."""
        return sum(segment[1] for segment in self.segments())

    @classmethod
    def paper(cls) -> MeltQuenchSettings:
        """Return the paper's scale: 512 atoms, 12 vacancies, 1e13 K/s, 10 ps snapshots.

        50 ps per held phase (five snapshots each at 10 ps), 150 ps of cooling, 1 fs steps:
        410,000 steps in total.
        """
        return cls()

    @classmethod
    def ci(cls) -> MeltQuenchSettings:
        """Return a scaled-down protocol that runs in seconds with Stillinger–Weber.

        64-atom cell with 2 vacancies, 2 fs steps, melted at 3,000 K (so that the small cell
        melts within a few hundred steps) and quenched at 8.4e15 K/s: 700 steps, a snapshot
        every 40 steps (five per held liquid and amorphous part).
        """
        return cls(
            supercell_repeat=2,
            n_vacancies=2,
            timestep_fs=2.0,
            melt_temperature_k=3000.0,
            crystal_steps=80,
            heating_steps=60,
            liquid_steps=200,
            cooling_rate_k_per_ps=8437.5,
            amorphous_steps=200,
            snapshot_interval_steps=40,
            thermostat_time_fs=50.0,
            barostat_time_fs=200.0,
        )


@dataclass
class MeltQuenchRun:
    """Result of :func:`run_melt_quench`.

    Attributes
    ----------
    snapshots
        Copies of the atoms (no calculator) with ``info``: ``md_phase``, ``config_type``
        (the phase), ``md_step``, ``time_ps``, ``target_temperature_k``, ``temperature_k``,
        ``density_g_cm3``.
    thermo
        Columns ``step``, ``time_ps``, ``phase``, ``target_temperature_k``,
        ``temperature_k``, ``density_g_cm3``, ``rms_displacement_ang``, every
        ``thermo_interval_steps``.
    wall_time_s
        Time spent in MD (s).
    """

    snapshots: list[Atoms]
    thermo: dict[str, list] = field(default_factory=dict)
    wall_time_s: float = 0.0


def defective_diamond(settings: MeltQuenchSettings) -> Atoms:
    """Build the starting cell: cubic diamond supercell with random vacancies.

    Parameters
    ----------
    settings
        Element, lattice constant, repeat, vacancy count and seed.

    Returns
    -------
    Atoms
        ``n_atoms_perfect - n_vacancies`` atoms, periodic.
    """
    atoms = bulk(settings.element, "diamond", a=settings.lattice_constant_ang, cubic=True)
    atoms = atoms.repeat((settings.supercell_repeat,) * 3)
    rng = np.random.default_rng(settings.seed)
    removed = rng.choice(len(atoms), size=settings.n_vacancies, replace=False)
    del atoms[sorted(int(i) for i in removed)]
    return atoms


def density_g_cm3(atoms: Atoms) -> float:
    """Mass density of a periodic cell (g/cm³)."""
    return float(atoms.get_masses().sum() / atoms.get_volume() * _AMU_PER_ANG3_TO_G_PER_CM3)


def rms_displacement_ang(atoms: Atoms, start_scaled: np.ndarray) -> float:
    """RMS distance of the atoms from their starting sites, in the current cell (Å).

    ASE's MD does not wrap positions, so fractional coordinates relative to the start give
    the true displacement even when the barostat changes the cell. Near 0.1 Å for a crystal
    at 300 K; several Å once the cell has melted (and frozen in after a quench).
    """
    delta = (atoms.get_scaled_positions(wrap=False) - start_scaled) @ np.asarray(atoms.cell)
    return float(np.sqrt(np.mean(np.sum(delta**2, axis=1))))


def _schedule(settings: MeltQuenchSettings) -> tuple[np.ndarray, list[str]]:
    """Target temperature after each step and the phase of each step."""
    targets: list[np.ndarray] = []
    phases: list[str] = []
    for phase, steps, start, end in settings.segments():
        if steps == 0:
            continue
        ramp = np.linspace(start, end, steps + 1)[1:] if start != end else np.full(steps, end)
        targets.append(ramp)
        phases += [phase] * steps
    return np.concatenate(targets), phases


def snapshot_phases(settings: MeltQuenchSettings) -> list[str]:
    """Return the phase of every snapshot :func:`run_melt_quench` takes, without running it.

    Parameters
    ----------
    settings
        The protocol.

    Returns
    -------
    list of str
        One phase per snapshot (every ``snapshot_interval_steps`` steps), in order.
    """
    _, phases = _schedule(settings)
    interval = settings.snapshot_interval_steps
    return [phases[step - 1] for step in range(interval, len(phases) + 1, interval)]


def run_melt_quench(
    calculator: Calculator, settings: MeltQuenchSettings, atoms: Atoms | None = None
) -> MeltQuenchRun:
    """Run the protocol with one calculator driving the dynamics.

    Parameters
    ----------
    calculator
        Drives the MD (the reference or a fitted potential); must give stress.
    settings
        The protocol.
    atoms
        Starting cell (default: :func:`defective_diamond`).

    Returns
    -------
    MeltQuenchRun
        Snapshots (taken at the end of every ``snapshot_interval_steps`` steps) and the log.
    """
    atoms = defective_diamond(settings) if atoms is None else atoms.copy()
    if hasattr(calculator, "set_default_properties"):
        # quippy: energy, forces and stress in one call per step instead of two
        calculator.set_default_properties(["energy", "forces", "stress"])
    atoms.calc = calculator
    start_scaled = atoms.get_scaled_positions(wrap=False)
    rng = np.random.default_rng(settings.seed + 1)
    MaxwellBoltzmannDistribution(atoms, temperature_K=settings.low_temperature_k, rng=rng)
    Stationary(atoms)
    targets, phases = _schedule(settings)
    dyn = NPTBerendsen(
        atoms,
        timestep=settings.timestep_fs * units.fs,
        temperature_K=settings.low_temperature_k,
        pressure_au=settings.pressure_gpa * units.GPa,
        taut=settings.thermostat_time_fs * units.fs,
        taup=settings.barostat_time_fs * units.fs,
        compressibility_au=1.0 / (settings.bulk_modulus_gpa * units.GPa),
    )
    run = MeltQuenchRun(snapshots=[], thermo={k: [] for k in _THERMO_COLUMNS})

    def record(step: int) -> dict[str, object]:
        return {
            "step": step,
            "time_ps": step * settings.timestep_fs / 1000.0,
            "phase": phases[step - 1],
            "target_temperature_k": float(targets[step - 1]),
            "temperature_k": float(atoms.get_temperature()),
            "density_g_cm3": density_g_cm3(atoms),
            "rms_displacement_ang": rms_displacement_ang(atoms, start_scaled),
        }

    start = time.perf_counter()
    for step in range(1, len(targets) + 1):
        dyn.set_temperature(temperature_K=float(targets[step - 1]))
        dyn.run(1)
        if step % settings.thermo_interval_steps == 0:
            for key, value in record(step).items():
                run.thermo[key].append(value)
        if step % settings.snapshot_interval_steps == 0:
            run.snapshots.append(_snapshot(atoms, record(step)))
        if step % 1000 == 0:
            temperature = atoms.get_temperature()
            logger.info("melt-quench step %d/%d, T = %.0f K", step, len(targets), temperature)
    run.wall_time_s = time.perf_counter() - start
    logger.info(
        "melt-quench: %d steps, %d snapshots in %.0f s",
        len(targets),
        len(run.snapshots),
        run.wall_time_s,
    )
    return run


def run_melt_quench_isolated(reference: Reference, settings: MeltQuenchSettings) -> MeltQuenchRun:
    """Run the protocol driven by ``reference``, in a child process.

    Same result as :func:`run_melt_quench` with ``reference.calculator()``; the child keeps
    quippy's per-step memory leak out of the job's process (at the paper's 512 atoms and
    120,000 steps it would be tens of GB).

    Parameters
    ----------
    reference
        Drives the MD (the reference or a fitted potential); must give stress.
    settings
        The protocol.

    Returns
    -------
    MeltQuenchRun
        As :func:`run_melt_quench`.
    """
    return call_with_calculator(reference, _melt_quench_task, settings)


def _melt_quench_task(settings: MeltQuenchSettings, calculator: Calculator) -> MeltQuenchRun:
    return run_melt_quench(calculator, settings)


_THERMO_COLUMNS = (
    "step",
    "time_ps",
    "phase",
    "target_temperature_k",
    "temperature_k",
    "density_g_cm3",
    "rms_displacement_ang",
)


def _snapshot(atoms: Atoms, record: dict[str, object]) -> Atoms:
    snapshot = Atoms(
        numbers=atoms.numbers, positions=atoms.positions, cell=atoms.cell, pbc=atoms.pbc
    )
    snapshot.info[PHASE_KEY] = record["phase"]
    snapshot.info[CONFIG_TYPE_KEY] = record["phase"]
    snapshot.info[SOURCE_KEY] = "melt_quench"
    snapshot.info["md_step"] = record["step"]
    for key in (*_THERMO_COLUMNS[3:], "time_ps"):
        snapshot.info[key] = record[key]
    return snapshot
