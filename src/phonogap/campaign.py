"""Deprecated: campaigns moved (kept for one release).

:class:`~phonogap.flows.campaign.CampaignMaker` builds the Flow, the summary job lives in
:mod:`phonogap.jobs.campaign`, rows in :mod:`phonogap.phonons.campaign_rows`, and what needs a
store in :mod:`phonogap.store.campaigns`.
"""

from __future__ import annotations

from typing import Any

from phonogap.deprecation import moved_attribute

DEPRECATED_ALIASES: dict[str, str] = {
    "CAMPAIGN_JOB": "phonogap.jobs.campaign:CAMPAIGN_JOB",
    "FINISHED_STATES": "phonogap.phonons.campaign_rows:FINISHED_STATES",
    "Campaign": "phonogap.store.campaigns:Campaign",
    "build_campaign": "phonogap.store.campaigns:build_campaign",
    "finished_structures": "phonogap.store.campaigns:finished_structures",
    "structure_row": "phonogap.phonons.campaign_rows:structure_row",
    "summarise_campaign": "phonogap.jobs.campaign:summarise_campaign",
    "summarise_rows": "phonogap.phonons.campaign_rows:summarise_rows",
}
"""Old name to ``"new.module:attribute"``."""


def __getattr__(name: str) -> Any:
    """Resolve an old name at its new path (PEP 562)."""
    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
