"""The MeltQuenchMaker: the paper's transferability benchmark as a Flow (MD, labels, errors)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jobflow import Flow, Maker

from phonogap.flows.maker_fields import validate_maker_fields
from phonogap.jobs.md import melt_quench_errors, melt_quench_md
from phonogap.md.protocol import MeltQuenchSettings
from phonogap.reference.field import ReferenceField
from phonogap.reference.stillinger_weber import StillingerWeberReference


@dataclass
class MeltQuenchMaker(Maker):
    """The paper's transferability benchmark: melt–quench MD, reference labels, errors.

    Parameters
    ----------
    name
        Flow name.
    settings
        The protocol (default: the paper's 512 atoms, 12 vacancies, 1,800 K, 10 K/ps);
        ``{"preset": "ci"}`` (or ``MeltQuenchSettings.ci()``) is the scaled-down preset.
    reference
        Labels the snapshots (default: Stillinger–Weber).
    driver
        Drives the MD (default: the reference; a fit document or xml path for a GAP).
    n_workers
        Processes for labelling and evaluation.
    """

    name: str = "melt_quench"
    settings: MeltQuenchSettings = field(default_factory=MeltQuenchSettings.paper)
    reference: ReferenceField = field(default_factory=StillingerWeberReference)
    driver: Any = None
    n_workers: int | None = None

    def __post_init__(self) -> None:
        validate_maker_fields(self)

    def make(self, potentials: dict[str, Any]) -> Flow:
        """Build the Flow.

        Parameters
        ----------
        potentials
            Candidate name to a fit document (or an output reference to one), xml path or
            reference spec.

        Returns
        -------
        Flow
            MD then errors; its output is the :class:`MeltQuenchErrorsDocument`.
        """
        if not potentials:
            raise ValueError("MeltQuenchMaker.make needs at least one candidate potential")
        reference = self.reference
        md = melt_quench_md(self.settings, self.driver or reference)
        errors = melt_quench_errors(md.output, reference, potentials, n_workers=self.n_workers)
        return Flow([md, errors], output=errors.output, name=self.name)
