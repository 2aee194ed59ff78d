"""Deprecated: workflow files moved to :mod:`phonogap.config` (kept for one release)."""

from __future__ import annotations

from typing import Any

from phonogap.deprecation import moved_attribute

DEPRECATED_ALIASES: dict[str, str] = {
    "WorkflowFileError": "phonogap.config.workflow_file:WorkflowFileError",
    "WorkflowFile": "phonogap.config.workflow_file:WorkflowFile",
    "read_workflow_file": "phonogap.config.workflow_file:read_workflow_file",
    "load_structures_from": "phonogap.config.workflow_file:load_structures_from",
    "flow_from_workflow": "phonogap.config.workflow_file:flow_from_workflow",
    "StructureSources": "phonogap.config.sections:StructureSources",
    "CampaignSection": "phonogap.config.sections:CampaignSection",
    "ScanSection": "phonogap.config.sections:ScanSection",
    "FitSection": "phonogap.fitting.settings:FitSettings",
    "KappaSection": "phonogap.phonons.kappa_benchmark:KappaBenchmarkSettings",
}
"""Old name to its new ``module:attribute``."""


def __getattr__(name: str) -> Any:
    """Resolve an old name at its new path (PEP 562)."""
    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
