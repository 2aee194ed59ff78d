"""CampaignMaker: one phonon-accurate GAP flow per structure, plus a campaign summary job.

Each structure gets its own Flow (its own database, GAP fit and phonon benchmark), tagged with
``metadata`` ``{campaign, structure, formula, mp_id}`` on every job, so its documents can be
found in a JobStore and its Fireworks on a launchpad. A failed structure never blocks the
others: the flows are independent and the summary job accepts missing outputs.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from jobflow import Flow, Maker

from phonogap.flows.maker_fields import validate_maker_fields
from phonogap.flows.phonon_accurate_gap import PhononAccurateGapMaker
from phonogap.jobs.campaign import summarise_campaign
from phonogap.structures.metadata import structure_metadata

if TYPE_CHECKING:
    from pymatgen.core import Structure

    from phonogap.schemas.campaign import CampaignStructureRow

logger = logging.getLogger(__name__)


@dataclass
class CampaignMaker(Maker):
    """Screen many structures: one :class:`PhononAccurateGapMaker` flow per structure.

    Parameters
    ----------
    name
        Campaign name: ``metadata.campaign`` of every job, and the prefix of each
        structure's flow name.
    base
        The Maker every structure's flow is built with (its ``kappa.structures`` is narrowed
        to the structure itself).
    skip_finished
        Leave out structures whose results are already in the store (the caller passes
        them to :meth:`make` as ``finished``).
    """

    name: str = "campaign"
    base: PhononAccurateGapMaker = field(default_factory=PhononAccurateGapMaker)
    skip_finished: bool = True

    def __post_init__(self) -> None:
        validate_maker_fields(self)

    def make(
        self,
        structures: dict[str, Structure],
        mp_ids: dict[str, str] | None = None,
        finished: Mapping[str, CampaignStructureRow] | None = None,
    ) -> Flow:
        """Build the Flow: a sub-flow per structure, then ``summarise_campaign``.

        Parameters
        ----------
        structures
            Name to structure.
        mp_ids
            Name to Materials Project id.
        finished
            Rows of structures finished in earlier runs; skipped (and carried into the
            summary) when :attr:`skip_finished` is true.

        Returns
        -------
        Flow
            Its output is the :class:`~phonogap.schemas.campaign.CampaignSummaryDocument`.
        """
        if not structures:
            raise ValueError("CampaignMaker.make needs at least one structure")
        mp_ids = mp_ids or {}
        skipped = {
            name: row
            for name, row in (finished or {}).items()
            if self.skip_finished and name in structures
        }
        flows, identities = [], []
        for structure_name, structure in sorted(structures.items()):
            if structure_name in skipped:
                logger.info("%s: %s already finished, skipping", self.name, structure_name)
                continue
            kappa = self.base.kappa.model_copy(
                update={
                    "structures": [k for k in self.base.kappa.structures if k == structure_name]
                }
            )
            maker = dataclasses.replace(
                self.base, name=f"{self.name} {structure_name}", kappa=kappa
            )
            ids = {structure_name: mp_ids[structure_name]} if structure_name in mp_ids else None
            flow = maker.make({structure_name: structure}, mp_ids=ids)
            metadata = structure_metadata(self.name, {structure_name: structure}, mp_ids)
            flow.update_metadata(metadata)
            flows.append(flow)
            identities.append({key: metadata[key] for key in ("structure", "formula", "mp_id")})
        summary = summarise_campaign(
            self.name,
            identities,
            [flow.output for flow in flows],
            [row.model_dump() for row in skipped.values()],
        )
        summary.update_metadata({"campaign": self.name})
        return Flow([*flows, summary], output=summary.output, name=self.name)
