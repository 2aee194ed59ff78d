"""VASP through atomate2: a phonon-grade static job per configuration, relaxations by atomate2.

One input set labels every configuration of a fit (energies of different cells must be
comparable): ``PREC = Accurate``, a fixed ``ENCUT``, ``EDIFF = 1e-8``, ``ISYM = 0`` (no
symmetrisation of forces of displaced cells), ``LREAL = False``, ``ADDGRID``, Gaussian smearing
of fixed width, and one ``KSPACING`` for every cell (so no KPOINTS file). atomate2's static
defaults that do not suit finite displacements (tetrahedron smearing ``ISMEAR = -5``, which
needs several k-points and gives no forces consistent with the energy for metals; charge
density and orbital output) are overridden. The free atom that sets gap_fit's ``e0`` runs
spin-polarised with its Hund's-rule moment (``NUPDOWN``), Γ only.

Labels are read from the task document atomate2 stores, not from files: the last ionic step's
``e_fr_energy`` (the free energy whose derivatives the forces are), ``forces`` and ``stress``
(kBar, positive = compressive, converted as in :mod:`phonogap.importers.vasprun`).
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
    vasp_stress_to_virial,
)
from phonogap.reference.registry import register_reference

if TYPE_CHECKING:
    from ase import Atoms
    from ase.calculators.calculator import Calculator
    from atomate2.vasp.jobs.base import BaseVaspMaker

    from phonogap.schemas.configuration import Configuration

logger = logging.getLogger(__name__)


@register_reference
class VaspReference(Reference):
    """Label configurations with VASP through atomate2's ``StaticMaker``.

    Examples
    --------
    In a workflow file::

        reference: {backend: vasp, encut_ev: 520, kspacing_inv_ang: 0.2}
    """

    backend: ClassVar[str] = "vasp"
    cheap: ClassVar[bool] = False
    runs_as_atomate2_jobs: ClassVar[bool] = True

    encut_ev: float = Field(520.0, gt=0, description="Plane-wave cutoff ENCUT (eV)")
    ediff_ev: float = Field(1e-8, gt=0, description="SCF threshold EDIFF (eV)")
    kspacing_inv_ang: float = Field(
        0.2, gt=0, description="KSPACING (1/Å, 2π included), the same for every cell"
    )
    sigma_ev: float = Field(0.01, gt=0, description="Gaussian smearing width SIGMA (eV)")
    gga: str = Field("PE", description="GGA tag: PE (PBE, the default), PS (PBEsol), 91 ...")
    potcar_functional: str = Field("PBE_54", description="POTCAR set (user_potcar_functional)")
    isolated_atom_moments: dict[str, float] = Field(
        default_factory=lambda: dict(HUND_MOMENTS),
        description="NUPDOWN (μB) of each free atom; unknown elements relax freely",
    )
    incar_updates: dict[str, Any] = Field(
        default_factory=dict, description="More INCAR tags (None removes a tag), e.g. GGA: PS"
    )
    run_vasp_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Passed to atomate2's run_vasp (vasp_cmd, handlers)"
    )

    def incar(self, atoms: Atoms | None = None) -> dict[str, Any]:
        """Return the INCAR settings sent for a configuration.

        Parameters
        ----------
        atoms
            The configuration; the free atom gets spin polarisation and Γ only.

        Returns
        -------
        dict
            ``user_incar_settings`` of the input set generator.
        """
        settings: dict[str, Any] = {
            "PREC": "Accurate",
            "ENCUT": self.encut_ev,
            "EDIFF": self.ediff_ev,
            "ISYM": 0,
            "LREAL": False,
            "ADDGRID": True,
            "ISMEAR": 0,
            "SIGMA": self.sigma_ev,
            "KSPACING": self.kspacing_inv_ang,
            "KGAMMA": True,
            "ISPIN": 1,
            "MAGMOM": None,
            "LCHARG": False,
            "LWAVE": False,
            "LORBIT": None,
            "LASPH": True,
            "NELM": 200,
            "ALGO": "Normal",
            "GGA": self.gga,
            "METAGGA": None,
            "LMIXTAU": None,
            "LAECHG": None,
            "LVTOT": None,
            "LELF": None,
        }
        if atoms is not None and is_isolated_atom(atoms):
            settings |= {"ISPIN": 2, "KSPACING": 10.0, "MAGMOM": None, "NELM": 400}
            moment = self.isolated_atom_moments.get(atoms.get_chemical_symbols()[0])
            if moment is not None:
                settings["NUPDOWN"] = moment
        return settings | self.incar_updates

    def static_maker(self, atoms: Atoms | None = None, name: str = "static") -> BaseVaspMaker:
        """Build the atomate2 static maker for a configuration.

        Parameters
        ----------
        atoms
            The configuration (the free atom gets its own spin settings).
        name
            Job name.

        Returns
        -------
        StaticMaker
            With the phonon-grade input set and ``sort_structure=False`` (labels stay in the
            configuration's atom order).
        """
        from atomate2.vasp.jobs.core import StaticMaker
        from atomate2.vasp.sets.core import StaticSetGenerator

        generator = StaticSetGenerator(
            user_incar_settings=self.incar(atoms),
            user_potcar_functional=self.potcar_functional,
            sort_structure=False,
        )
        return StaticMaker(
            name=name, input_set_generator=generator, run_vasp_kwargs=dict(self.run_vasp_kwargs)
        )

    def relax_maker(self, name: str = "relax") -> BaseVaspMaker:
        """Build the atomate2 relax maker with the same electronic settings.

        Parameters
        ----------
        name
            Job name.

        Returns
        -------
        RelaxMaker
            Cell and positions (``ISIF = 3``), forces below 1e-3 eV/Å (``EDIFFG = -1e-3``),
            VASP's default symmetrisation (the relaxation keeps the space group).
        """
        from atomate2.vasp.jobs.core import RelaxMaker
        from atomate2.vasp.sets.core import RelaxSetGenerator

        incar = self.incar() | {"ISIF": 3, "IBRION": 2, "NSW": 99, "EDIFFG": -1e-3, "ISYM": None}
        generator = RelaxSetGenerator(
            user_incar_settings=incar,
            user_potcar_functional=self.potcar_functional,
            sort_structure=False,
        )
        return RelaxMaker(
            name=name, input_set_generator=generator, run_vasp_kwargs=dict(self.run_vasp_kwargs)
        )

    def labels_from_task(self, task: Any, configuration: Configuration) -> Configuration:
        """Read a configuration's labels from its static job's task document.

        Parameters
        ----------
        task
            The ``TaskDoc`` (object or dict).
        configuration
            The configuration that was sent.

        Returns
        -------
        Configuration
            See :func:`vasp_task_labels`.
        """
        return vasp_task_labels(task, configuration)

    def calculator(self) -> Calculator:
        """Refuse: VASP runs as atomate2 jobs, not as an in-process calculator.

        Raises
        ------
        NoInProcessCalculatorError
            Always, naming the supported path.
        """
        raise NoInProcessCalculatorError.for_backend(
            self.backend, " or choose backend 'qe' for local calculations"
        )

    def required_packages(self) -> tuple[str, ...]:
        """Name the distributions behind this backend.

        Returns
        -------
        tuple of str
            ``("ase", "atomate2", "pymatgen", "emmet-core")``.
        """
        return ("ase", "atomate2", "pymatgen", "emmet-core")


def last_ionic_step(task: Any) -> dict[str, Any]:
    """Return the last ionic step of an atomate2 VASP task document (object or dict).

    Parameters
    ----------
    task
        ``TaskDoc`` or its dict.

    Returns
    -------
    dict
        ``e_fr_energy``, ``forces``, ``stress`` and ``structure`` of the final ionic step.
    """
    data = task.model_dump() if hasattr(task, "model_dump") else dict(task)
    steps = data["calcs_reversed"][0]["output"]["ionic_steps"]
    if not steps:
        raise DftCalculationError(
            f"VASP task in {data.get('dir_name')} has no ionic step; the run did not finish"
        )
    return steps[-1]


def vasp_task_labels(task: Any, configuration: Configuration) -> Configuration:
    """Convert an atomate2 VASP task document into a labelled configuration.

    Parameters
    ----------
    task
        The static job's ``TaskDoc``.
    configuration
        The configuration that was sent (its atom order is kept: ``sort_structure=False``).

    Returns
    -------
    Configuration
        With ``energy_ev`` (``e_fr_energy``), ``forces_ev_per_ang`` and ``virial_ev``.

    Raises
    ------
    DftCalculationError
        If VASP's atoms do not match the configuration (count or positions) or the
        electronic loop did not converge.
    """
    data = task.model_dump() if hasattr(task, "model_dump") else dict(task)
    step = last_ionic_step(data)
    forces = np.asarray(step["forces"], dtype=float)
    if forces.shape != (len(configuration.symbols), 3):
        raise DftCalculationError(
            f"VASP task {data.get('dir_name')}: {len(forces)} forces for "
            f"{len(configuration.symbols)} atoms; the structure sent and the one computed differ"
        )
    electronic = step.get("electronic_steps") or []
    nelm = (data["calcs_reversed"][0].get("input", {}).get("incar") or {}).get("NELM", 60)
    if electronic and len(electronic) >= nelm:
        raise DftCalculationError(
            f"VASP task {data.get('dir_name')}: the SCF used all NELM = {nelm} steps without "
            "converging; raise NELM or change ALGO/mixing in 'reference.incar_updates'"
        )
    labelled = configuration.model_copy(deep=True)
    labelled.energy_ev = float(step["e_fr_energy"])
    labelled.forces_ev_per_ang = forces.tolist()
    if step.get("stress") is not None and all(configuration.pbc):
        volume = abs(float(np.linalg.det(np.asarray(configuration.cell_ang))))
        labelled.virial_ev = vasp_stress_to_virial(step["stress"], volume).tolist()
    labelled.info["label_dir"] = str(data.get("dir_name", ""))
    labelled.info["code_version"] = f"VASP {data['calcs_reversed'][0].get('vasp_version', '?')}"
    return labelled


DEPRECATED_ALIASES: dict[str, str] = {
    "labels_from_vasp_task": "phonogap.jobs.labels:labels_from_vasp_task",
    "structure_of": "phonogap.reference.dft_common:structure_of",
}
"""Names that moved (old name to ``module:attribute``), importable from here for one release."""


def __getattr__(name: str) -> object:
    """Return a moved name from its new module, with a DeprecationWarning (PEP 562)."""
    from phonogap.deprecation import moved_attribute

    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
