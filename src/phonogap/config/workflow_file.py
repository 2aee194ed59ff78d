"""Workflow files (YAML): a workflow type, its inputs, and the fields of its Maker.

``workflow:`` names the Maker class (:data:`WORKFLOW_TYPES`); ``structures`` and
``base_database`` are the inputs of its ``make``; ``scan`` and ``campaign`` wrap it; every other
key is a field of the Maker and is validated against the Maker class itself. Every error names
the file and the dotted field, and says what to write instead.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from jobflow import Flow, Maker
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pymatgen.core import Structure

from phonogap.config.deprecations import OldKeyError, upgrade_old_keys
from phonogap.config.sections import (
    BaseDatabaseSection,
    CampaignSection,
    ScanSection,
    StructureSources,
)
from phonogap.errors import PhonogapError
from phonogap.flows.extend_database import ExtendDatabaseMaker, GeneralDatabaseMaker
from phonogap.flows.imported_data_gap import ImportedDataGapMaker
from phonogap.flows.maker_fields import maker_fields_model
from phonogap.flows.phonon_accurate_gap import PhononAccurateGapMaker
from phonogap.flows.resources import ResourcesSettings, apply_resources
from phonogap.jobs.importers import import_base_database
from phonogap.phonons.kappa_benchmark import KappaBenchmarkSettings

WORKFLOW_TYPES: dict[str, type[Maker]] = {
    "phonon_accurate_gap": PhononAccurateGapMaker,
    "imported_data_gap": ImportedDataGapMaker,
    "extend_database": ExtendDatabaseMaker,
}
"""``workflow:`` value to the Maker class whose fields the rest of the file sets."""

WorkflowType = Literal["phonon_accurate_gap", "imported_data_gap", "extend_database"]

EXAMPLES = {"extend_database": "extend_sw.yaml", "imported_data_gap": "castep_allotropes.yaml"}


class WorkflowFileError(PhonogapError, ValueError):
    """Raised when a workflow file is missing, unparsable or invalid."""


class WorkflowSections(BaseModel):
    """The keys of a workflow file that are not fields of its Maker."""

    model_config = ConfigDict(extra="allow")

    workflow: WorkflowType = Field(
        "phonon_accurate_gap",
        description="phonon_accurate_gap: label structures with a reference; "
        "imported_data_gap: fit existing DFT datasets and benchmark on their phonons; "
        "extend_database: add supercells of the structures to a base database, refit, benchmark",
    )
    structures: StructureSources | None = None
    base_database: BaseDatabaseSection | None = Field(
        None, description="The database to extend: generate or dataset (extend_database)"
    )
    scan: ScanSection | None = Field(None, description="An f scan or a learning curve in M")
    campaign: CampaignSection | None = Field(
        None, description="Run one flow per structure (phonon_accurate_gap)"
    )
    resources: ResourcesSettings | None = Field(
        None,
        description="Cluster resources by job kind (fit, label, benchmark, default): FireWorks "
        "category/queueadapter, jobflow-remote worker/resources",
    )


@dataclass
class WorkflowFile:
    """A validated workflow file: its Maker, the Maker's inputs and the optional wrappers.

    Attributes
    ----------
    workflow
        The workflow type (a key of :data:`WORKFLOW_TYPES`).
    maker
        The Maker, with dataset paths resolved against the file's directory.
    base_dir
        Directory relative paths are resolved against (the file's).
    structures, base_database, scan, campaign, resources
        The non-Maker sections (``None`` when absent).
    """

    workflow: str
    maker: Any
    base_dir: Path = dataclasses.field(default_factory=Path.cwd)
    structures: StructureSources | None = None
    base_database: BaseDatabaseSection | None = None
    scan: ScanSection | None = None
    campaign: CampaignSection | None = None
    resources: ResourcesSettings | None = None

    @property
    def name(self) -> str:
        """Return the run name (the Maker's)."""
        return self.maker.name


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def _field_errors(error: ValidationError, prefix: tuple[Any, ...] = ()) -> list[str]:
    lines = []
    for item in error.errors():
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"  field '{_location(prefix + tuple(item['loc']))}': {message}")
    return lines


def _unknown_top_level(extra: list[str], workflow: str) -> list[str]:
    maker_class = WORKFLOW_TYPES[workflow]
    valid = sorted([*maker_fields_model(maker_class).model_fields, *WorkflowSections.model_fields])
    lines = []
    for key in extra:
        owners = [
            other
            for other, other_class in WORKFLOW_TYPES.items()
            if other != workflow and key in maker_fields_model(other_class).model_fields
        ]
        hint = (
            f"'{key}' belongs to workflow '{owners[0]}': remove it or set 'workflow: {owners[0]}'; "
            if owners
            else ""
        )
        lines.append(
            f"  field '{key}': not a field of workflow '{workflow}' ({maker_class.__name__}); "
            f"{hint}valid fields: {', '.join(valid)}"
        )
    return lines


def _consistency_problems(sections: WorkflowSections, maker: Any) -> list[str]:
    workflow = sections.workflow
    problems = []
    needs_structures = workflow in ("phonon_accurate_gap", "extend_database")
    if needs_structures and sections.structures is None:
        problems.append(
            f"workflow '{workflow}' needs a 'structures' section (allotropes, files or "
            "directory), e.g. 'structures: {allotropes: [mp-149]}'"
        )
    if workflow == "imported_data_gap":
        if not maker.datasets:
            problems.append(
                "workflow 'imported_data_gap' needs a 'datasets' list, e.g. "
                "[{importer: phonopy, path: 22_phonopy.yaml, mp_id: mp-149}] or "
                "[{bundled: george2020_castep, structures: stable}]"
            )
        if sections.structures is not None:
            problems.append(
                "'structures' is not used by workflow 'imported_data_gap' (its structures "
                "come from the datasets); remove it"
            )
    if workflow == "extend_database":
        if sections.base_database is None:
            problems.append(
                "workflow 'extend_database' needs a 'base_database' section: "
                "'{generate: {preset: default}}' or '{dataset: {importer: mlearn, path: ...}}'"
            )
        problems += [
            f"'{name}' cannot be combined with workflow 'extend_database'; remove '{name}' "
            "(an extension runs its own base and extended fits)"
            for name in ("scan", "campaign")
            if getattr(sections, name) is not None
        ]
    elif sections.base_database is not None:
        problems.append(
            "'base_database' belongs to workflow 'extend_database'; remove it or set "
            "'workflow: extend_database'"
        )
    if sections.campaign is not None and (workflow != "phonon_accurate_gap" or sections.scan):
        problems.append(
            "a 'campaign' runs one phonon_accurate_gap flow per structure; remove "
            "'campaign' or use workflow 'phonon_accurate_gap' without 'scan'"
        )
    return [f"  {problem}" for problem in problems]


def parse_workflow(
    raw: dict[str, Any], base_dir: Path | None = None, source: str = "<mapping>"
) -> WorkflowFile:
    """Validate a workflow mapping against its Maker class and build the Maker.

    Parameters
    ----------
    raw
        The parsed YAML mapping.
    base_dir
        Directory relative paths are resolved against (default: the working directory).
    source
        Name of the file, for messages.

    Returns
    -------
    WorkflowFile
        The Maker and the other sections.

    Raises
    ------
    WorkflowFileError
        Listing every invalid field by its dotted location, with the fix.
    """
    base_dir = (base_dir or Path.cwd()).resolve()
    try:
        raw = upgrade_old_keys(raw, source)
    except OldKeyError as exc:
        raise WorkflowFileError(
            _invalid(source, [f"  field '{exc.location}': {exc}"], raw)
        ) from None
    try:
        sections = WorkflowSections.model_validate(raw)
    except ValidationError as exc:
        raise WorkflowFileError(_invalid(source, _field_errors(exc), raw)) from None
    maker_class = WORKFLOW_TYPES[sections.workflow]
    fields_model = maker_fields_model(maker_class)
    given = dict(sections.model_extra or {})
    unknown = [key for key in given if key not in fields_model.model_fields]
    problems = _unknown_top_level(unknown, sections.workflow)
    known = {key: value for key, value in given.items() if key not in unknown}
    try:
        validated = fields_model.model_validate(known)
    except ValidationError as exc:
        raise WorkflowFileError(_invalid(source, problems + _field_errors(exc), raw)) from None
    if problems:
        raise WorkflowFileError(_invalid(source, problems, raw))
    maker = maker_class(**{name: getattr(validated, name) for name in fields_model.model_fields})
    if isinstance(maker, ImportedDataGapMaker):
        maker = dataclasses.replace(
            maker, datasets=[s for spec in maker.datasets for s in spec.expanded(base_dir)]
        )
    problems = _consistency_problems(sections, maker)
    if problems:
        raise WorkflowFileError(_invalid(source, problems, raw))
    return WorkflowFile(
        workflow=sections.workflow,
        maker=maker,
        base_dir=base_dir,
        structures=sections.structures,
        base_database=sections.base_database,
        scan=sections.scan,
        campaign=sections.campaign,
        resources=sections.resources,
    )


def _invalid(source: str, lines: list[str], raw: dict[str, Any]) -> str:
    example = EXAMPLES.get(str(raw.get("workflow")), "demo.yaml")
    return "\n".join(
        [
            f"workflow file {source} is invalid:",
            *lines,
            f"Fix these fields (see workflows/{example} for a complete example).",
        ]
    )


def read_workflow_file(path: str | Path) -> WorkflowFile:
    """Read and validate a workflow file.

    Parameters
    ----------
    path
        YAML file.

    Returns
    -------
    WorkflowFile
        The validated workflow; relative paths resolve against the file's directory.

    Raises
    ------
    WorkflowFileError
        Naming the file, the field and the fix.
    """
    path = Path(path)
    if not path.is_file():
        raise WorkflowFileError(
            f"workflow file {path} does not exist; pass a YAML file such as workflows/demo.yaml"
        )
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise WorkflowFileError(f"workflow file {path} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise WorkflowFileError(
            f"workflow file {path} must hold a mapping with at least a 'structures' field"
        )
    return parse_workflow(raw, path.parent, str(path))


def load_structures_from(
    sources: StructureSources, base_dir: Path
) -> tuple[dict[str, Structure], dict[str, str]]:
    """Load the structures a workflow names.

    Parameters
    ----------
    sources
        The ``structures`` section.
    base_dir
        Directory relative paths are resolved against (the workflow file's).

    Returns
    -------
    tuple
        Name to structure, and name to Materials Project id where known.
    """
    from phonogap.structures.allotropes import silicon_allotropes
    from phonogap.structures.io import load_structure, load_structures

    structures: dict[str, Structure] = {}
    mp_ids: dict[str, str] = {}
    wanted = None if sources.allotropes == "all" else sources.allotropes
    if sources.allotropes:
        for allotrope in silicon_allotropes(wanted):
            structures[allotrope.mp_id] = allotrope.structure
            mp_ids[allotrope.mp_id] = allotrope.mp_id
    for file in sources.files:
        file_path = base_dir / file
        structures[file_path.stem] = load_structure(file_path)
    if sources.directory:
        structures.update(load_structures(base_dir / sources.directory))
    if sources.materials_project:
        from phonogap.structures.materials_project import structures_from_materials_project

        structures.update(structures_from_materials_project(sources.materials_project))
        mp_ids.update({mp_id: mp_id for mp_id in sources.materials_project})
    if not structures:
        raise WorkflowFileError(
            "the 'structures' section names no structure; add 'allotropes', 'files' or 'directory'"
        )
    return structures, mp_ids


def _extension_flow(
    workflow: WorkflowFile, structures: dict[str, Structure], mp_ids: dict[str, str]
) -> Flow:
    maker: ExtendDatabaseMaker = workflow.maker
    section = workflow.base_database
    assert section is not None  # checked by parse_workflow
    if section.generate is not None:
        base = GeneralDatabaseMaker(
            reference=maker.reference, settings=section.generate, n_workers=maker.n_workers
        ).make()
    else:
        assert section.dataset is not None  # exactly one, checked by the section
        base = import_base_database(section.dataset.resolved(workflow.base_dir))
    extend = maker.make(structures, base.output, mp_ids=mp_ids)
    return Flow([base, extend], output=extend.output, name=maker.name)


def flow_from_workflow(workflow: WorkflowFile, base_dir: Path | None = None) -> tuple[Flow, int]:
    """Build the Flow a workflow file describes, with its ``resources`` applied.

    Parameters
    ----------
    workflow
        The validated workflow.
    base_dir
        Directory relative structure paths resolve against (default: the file's).

    Returns
    -------
    tuple
        The Flow and the number of structures or datasets it covers.
    """
    flow, count = _build_flow(workflow, base_dir)
    apply_resources(flow, workflow.resources)
    return flow, count


def _build_flow(workflow: WorkflowFile, base_dir: Path | None = None) -> tuple[Flow, int]:
    """Build the Flow of :func:`flow_from_workflow`, before its resources are applied."""
    base_dir = base_dir or workflow.base_dir
    maker = workflow.maker
    if workflow.workflow == "imported_data_gap":
        if workflow.scan:
            return workflow.scan.maker(maker).make(), len(maker.datasets)
        return maker.make(), len(maker.datasets)
    assert workflow.structures is not None  # checked by parse_workflow
    structures, mp_ids = load_structures_from(workflow.structures, base_dir)
    if workflow.workflow == "extend_database":
        return _extension_flow(workflow, structures, mp_ids), len(structures)
    if workflow.scan:
        # kappa belongs to single runs, not to every scan variant
        base = dataclasses.replace(maker, kappa=KappaBenchmarkSettings())
        return workflow.scan.maker(base).make(structures, mp_ids), len(structures)
    return maker.make(structures, mp_ids=mp_ids), len(structures)


def summary_run_names(workflow: WorkflowFile) -> dict[str, str]:
    """Name the benchmark summaries an ``extend_database`` run produces.

    Parameters
    ----------
    workflow
        A validated ``extend_database`` workflow.

    Returns
    -------
    dict
        Label (``extended``, and ``base`` if benchmarked) to the summary's ``run_name``.
    """
    labels = ["extended", "base"] if workflow.maker.extension.benchmark_base else ["extended"]
    return {label: f"{workflow.name} {label}" for label in labels}
