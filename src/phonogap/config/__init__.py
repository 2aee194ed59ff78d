"""Application layer: workflow files, a YAML view of the Makers.

A workflow file names a workflow type (a Maker class), its inputs (structures, a base
database) and optional wrappers (``scan``, ``campaign``); every other key is a field of the
Maker, validated against the Maker class itself (:mod:`phonogap.flows.maker_fields`), so
names, defaults and docs exist once.
"""

from phonogap.config.sections import (
    BaseDatabaseSection,
    CampaignSection,
    ScanSection,
    StructureSources,
)
from phonogap.config.workflow_file import (
    WORKFLOW_TYPES,
    WorkflowFile,
    WorkflowFileError,
    flow_from_workflow,
    load_structures_from,
    parse_workflow,
    read_workflow_file,
)

__all__ = [
    "WORKFLOW_TYPES",
    "BaseDatabaseSection",
    "CampaignSection",
    "ScanSection",
    "StructureSources",
    "WorkflowFile",
    "WorkflowFileError",
    "flow_from_workflow",
    "load_structures_from",
    "parse_workflow",
    "read_workflow_file",
]
