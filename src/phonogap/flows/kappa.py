"""The KappaMaker: lattice thermal conductivity of one structure (phono3py, RTA) as one job."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jobflow import Maker

from phonogap.flows.maker_fields import validate_maker_fields
from phonogap.jobs.kappa import compute_kappa
from phonogap.reference.field import ReferenceField
from phonogap.reference.stillinger_weber import StillingerWeberReference
from phonogap.schemas.kappa import KappaSettings
from phonogap.structures.settings import RelaxSettings

if TYPE_CHECKING:
    from jobflow import Job
    from pymatgen.core import Structure


@dataclass
class KappaMaker(Maker):
    """Lattice thermal conductivity of one structure (phono3py, RTA), as one job.

    Parameters
    ----------
    name
        Job name.
    settings
        Method (finite or random displacements), supercells, mesh, temperatures.
    reference
        Force source when :meth:`make` gets no ``potential``: a reference, a registry name or
        ``{"backend": ..., **settings}``. Default: Stillinger–Weber silicon.
    relax
        Relax with the force source before phono3py (the paper's protocol; default: forces
        < 1e-5 eV/Å, cell too). None computes kappa at the given geometry.
    n_workers
        Processes for force evaluations (default: all cores).
    """

    name: str = "kappa"
    settings: KappaSettings = field(default_factory=KappaSettings)
    reference: ReferenceField = field(default_factory=StillingerWeberReference)
    relax: RelaxSettings | None = field(default_factory=RelaxSettings)
    n_workers: int | None = None

    def __post_init__(self) -> None:
        validate_maker_fields(self)

    def make(self, structure: Structure, potential: Any = None, label: str | None = None) -> Job:
        """Build the kappa job.

        Parameters
        ----------
        structure
            The crystal (or an output reference to one).
        potential
            Optional fitted potential instead of :attr:`reference`: a ``GapFitDocument`` or an
            output reference to one (``fit_job.output``), or a ``GapPotential``.
        label
            Name of the calculation (document ``name``; appended to the job name).

        Returns
        -------
        Job
            Its output is a :class:`~phonogap.schemas.kappa.KappaDocument`.
        """
        source = potential if potential is not None else self.reference
        kappa_job = compute_kappa(
            structure,
            source,
            settings=self.settings,
            name=label,
            relax_settings=self.relax,
            n_workers=self.n_workers,
        )
        kappa_job.name = self.name if label is None else f"{self.name} {label}"
        return kappa_job
