"""Deprecated: workflow files moved to :mod:`phonogap.config` (kept for one release)."""

from __future__ import annotations

import importlib
import warnings
from typing import Any

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
    if name not in DEPRECATED_ALIASES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = DEPRECATED_ALIASES[name].split(":")
    warnings.warn(
        f"{__name__}.{name} moved to {module}.{attribute}; the old path will be removed in "
        "the next release",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(importlib.import_module(module), attribute)
