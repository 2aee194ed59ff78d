"""CP2K through atomate2: a static (ENERGY_FORCE) job per configuration.

Setup (Debian): ``apt-get install cp2k``, then convert CP2K's basis and potential files for
pymatgen once, ``pmg config --cp2k /usr/share/cp2k DIR``, and export ``PMG_CP2K_DATA_DIR=DIR``.

The k-point fix: atomate2's default k-points are a symmetry-reduced list; with symmetry off
(as displaced cells need) it gave spurious forces of 1.6e-3 Ha/bohr (0.08 eV/Å) on a perfect
silicon cell. This backend always sends an explicit Monkhorst–Pack grid
(``Kpoints.monkhorst_automatic``) from one k-point spacing, the same rule as the QE and VASP
backends. SCF and grid thresholds are tightened for 0.01 Å displacements; the free atom is
spin-polarised (UKS) with its Hund's-rule multiplicity, Γ only.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from pydantic import Field

from phonogap.reference.base import NoInProcessCalculatorError, Reference
from phonogap.reference.dft_common import (
    HUND_MOMENTS,
    DftCalculationError,
    is_isolated_atom,
    monkhorst_pack_grid,
)
from phonogap.reference.registry import register_reference

if TYPE_CHECKING:
    from ase import Atoms
    from ase.calculators.calculator import Calculator
    from atomate2.cp2k.jobs.base import BaseCp2kMaker

    from phonogap.schemas.configuration import Configuration

logger = logging.getLogger(__name__)

GPA_TO_EV_PER_ANG3 = 1.0 / 160.21766208
"""1 GPa in eV/Å³."""

HA_PER_BOHR_TO_EV_PER_ANG = 51.422067476325886
"""1 Ha/bohr in eV/Å (ASE: ``Hartree / Bohr``)."""


@register_reference
class Cp2kReference(Reference):
    """Label configurations with CP2K through atomate2's ``StaticMaker``.

    Examples
    --------
    In a workflow file::

        reference: {backend: cp2k, cutoff_ry: 600, kspacing_inv_ang: 0.25}
    """

    backend: ClassVar[str] = "cp2k"
    cheap: ClassVar[bool] = False
    runs_as_atomate2_jobs: ClassVar[bool] = True

    xc_functional: str = Field("PBE", description="Exchange-correlation functional")
    cutoff_ry: float = Field(600.0, gt=0, description="Finest grid cutoff CUTOFF (Ry)")
    rel_cutoff_ry: float = Field(60.0, gt=0, description="REL_CUTOFF (Ry)")
    eps_scf: float = Field(1e-8, gt=0, description="SCF convergence EPS_SCF")
    kspacing_inv_ang: float = Field(
        0.25, gt=0, description="k-point spacing (1/Å, 2π included) of the explicit MP grid"
    )
    isolated_atom_moments: dict[str, float] = Field(
        default_factory=lambda: dict(HUND_MOMENTS),
        description="Spin moment (μB) of each free atom: multiplicity = moment + 1",
    )
    input_updates: dict[str, Any] = Field(
        default_factory=dict, description="More atomate2 user_input_settings for CP2K"
    )
    run_cp2k_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Passed to atomate2's run_cp2k (cp2k_cmd, ...)"
    )

    def input_settings(self, atoms: Atoms | None = None) -> dict[str, Any]:
        """Return atomate2's ``user_input_settings`` for a configuration.

        Parameters
        ----------
        atoms
            The configuration (the free atom is spin-polarised).

        Returns
        -------
        dict
            Cutoffs, SCF threshold, no smearing for crystals, spin for the free atom.
        """
        settings: dict[str, Any] = {
            "xc_functionals": [self.xc_functional],
            "cutoff": self.cutoff_ry,
            "rel_cutoff": self.rel_cutoff_ry,
            "eps_scf": self.eps_scf,
            "eps_default": 1e-14,
            "max_scf": 200,
        }
        if atoms is not None and is_isolated_atom(atoms):
            moment = self.isolated_atom_moments.get(atoms.get_chemical_symbols()[0], 0.0)
            settings |= {"multiplicity": round(moment) + 1, "uks": True}
        return settings | self.input_updates

    def kpoints(self, atoms: Atoms) -> Any:
        """Return the explicit Monkhorst–Pack grid (the k-point fix of the module docstring).

        Parameters
        ----------
        atoms
            The configuration.

        Returns
        -------
        Kpoints
            ``Kpoints.monkhorst_automatic(grid)`` with even counts raised to the next odd
            one; Γ only for the free atom.
        """
        from pymatgen.io.vasp.inputs import Kpoints

        grid = (
            None if is_isolated_atom(atoms) else monkhorst_pack_grid(atoms, self.kspacing_inv_ang)
        )
        # CP2K's even Monkhorst-Pack grids are shifted off Γ: a 2x2x2 grid broke the cubic
        # symmetry of Si (transverse forces of 0.05 eV/Å, 6.8 GPa shear stress). Odd grids
        # contain Γ and keep the point group.
        odd = tuple(n + 1 - n % 2 for n in (grid or (1, 1, 1)))
        return Kpoints.monkhorst_automatic(odd)

    def static_maker(self, atoms: Atoms, name: str = "static") -> BaseCp2kMaker:
        """Build the atomate2 CP2K static maker for a configuration.

        Parameters
        ----------
        atoms
            The configuration.
        name
            Job name.

        Returns
        -------
        StaticMaker
            ENERGY_FORCE with this reference's settings and explicit k-points.
        """
        from atomate2.cp2k.jobs.core import StaticMaker
        from atomate2.cp2k.sets.core import StaticSetGenerator

        generator = StaticSetGenerator(
            user_input_settings=self.input_settings(atoms),
            user_kpoints_settings=self.kpoints(atoms),
            sort_structure=False,
            auto_kspacing=False,
        )
        return StaticMaker(
            name=name, input_set_generator=generator, run_cp2k_kwargs=dict(self.run_cp2k_kwargs)
        )

    def labels_from_task(self, task: Any, configuration: Configuration) -> Configuration:
        """Read a configuration's labels from its static job's task document.

        Parameters
        ----------
        task
            The task document (object or dict).
        configuration
            The configuration that was sent.

        Returns
        -------
        Configuration
            See :func:`cp2k_task_labels`.
        """
        return cp2k_task_labels(task, configuration)

    def calculator(self) -> Calculator:
        """Refuse: CP2K runs as atomate2 jobs here.

        Raises
        ------
        NoInProcessCalculatorError
            Always, naming the supported path.
        """
        raise NoInProcessCalculatorError.for_backend(
            self.backend, " or use backend 'qe' for relaxations"
        )

    def required_packages(self) -> tuple[str, ...]:
        """Name the distributions behind this backend.

        Returns
        -------
        tuple of str
            ``("ase", "atomate2", "pymatgen")``.
        """
        return ("ase", "atomate2", "pymatgen")


def cp2k_task_labels(task: Any, configuration: Configuration) -> Configuration:
    """Convert an atomate2 CP2K task document into a labelled configuration.

    Parameters
    ----------
    task
        The static job's task document (object or dict).
    configuration
        The configuration that was sent (atom order kept: ``sort_structure=False``).

    Returns
    -------
    Configuration
        ``energy_ev`` (atomate2 gives eV), ``forces_ev_per_ang`` (atomate2 keeps CP2K's
        Ha/bohr; converted) and, when CP2K printed a stress tensor (GPa, positive =
        compressive, as VASP's), ``virial_ev = stress * volume``.

    Raises
    ------
    DftCalculationError
        If forces are missing or do not match the configuration's atoms.
    """
    data = task.model_dump() if hasattr(task, "model_dump") else dict(task)
    output = data["output"]
    forces = output.get("forces")
    if forces is None or np.shape(forces) != (len(configuration.symbols), 3):
        raise DftCalculationError(
            f"CP2K task {data.get('dir_name')}: no forces for the {len(configuration.symbols)} "
            "atoms sent; check that the run finished (cp2k.out) and used RUN_TYPE ENERGY_FORCE"
        )
    labelled = configuration.model_copy(deep=True)
    labelled.energy_ev = float(output["energy"])
    # atomate2 keeps CP2K's printed forces in Ha/bohr (checked on a real run); energy is eV
    forces_ev = np.asarray(forces, dtype=float) * HA_PER_BOHR_TO_EV_PER_ANG
    labelled.forces_ev_per_ang = forces_ev.tolist()
    stress = output.get("stress")
    if stress is not None and all(configuration.pbc):
        volume = abs(float(np.linalg.det(np.asarray(configuration.cell_ang))))
        stress_gpa = np.asarray(stress, dtype=float).reshape(3, 3)
        labelled.virial_ev = (
            0.5 * (stress_gpa + stress_gpa.T) * GPA_TO_EV_PER_ANG3 * volume
        ).tolist()
    labelled.info["label_dir"] = str(data.get("dir_name", ""))
    return labelled


DEPRECATED_ALIASES: dict[str, str] = {
    "labels_from_cp2k_task": "phonogap.jobs.labels:labels_from_cp2k_task",
}
"""Names that moved (old name to ``module:attribute``), importable from here for one release."""


def __getattr__(name: str) -> object:
    """Return a moved name from its new module, with a DeprecationWarning (PEP 562)."""
    from phonogap.deprecation import moved_attribute

    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
