"""Workflow files (YAML): validated with pydantic, turned into a Maker and its structures.

A workflow file names the structures, the reference backend and the settings of every step.
Every error names the file and the field, and says what to write instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from jobflow import Flow
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pymatgen.core import Structure

from phonogap.database.settings import DatabaseSettings
from phonogap.fitting.hyperparameters import GapHyperparameters
from phonogap.flows.imported_data_gap import ImportedDataGapMaker
from phonogap.flows.phonon_accurate_gap import PhononAccurateGapMaker
from phonogap.flows.scans import LearningCurveMaker, ParameterScanMaker, RegularizationScanMaker
from phonogap.importers.jobs import DatasetSpec, EquilibriumSettings
from phonogap.phonons.kappa import KappaSettings
from phonogap.phonons.settings import PhononSettings
from phonogap.reference.registry import reference_from_spec
from phonogap.structures.settings import FilterSettings, RelaxSettings
from phonogap.workflow_extend import (
    BaseDatabaseSection,
    ExtensionSection,
    deep_merge,
    extend_database_problems,
    extension_flow,
)


class WorkflowFileError(ValueError):
    """Raised when a workflow file is missing, unparsable or invalid."""


class StructureSources(BaseModel):
    """Where the structures come from (any combination)."""

    model_config = ConfigDict(extra="forbid")

    allotropes: list[str] | Literal["all"] = Field(
        default_factory=list,
        description="Materials Project ids of the bundled silicon allotropes, or 'all'",
    )
    files: list[str] = Field(
        default_factory=list, description="CIF/POSCAR/pymatgen-JSON files (relative to the file)"
    )
    directory: str | None = Field(None, description="A directory of structure files")
    materials_project: list[str] = Field(
        default_factory=list,
        description="Materials Project ids to download (needs mp-api and $MP_API_KEY)",
    )


class FitSection(BaseModel):
    """The GAP fit."""

    model_config = ConfigDict(extra="forbid")

    preset: Literal["gap18", "small"] = Field("gap18", description="Hyperparameter preset")
    n_sparse: int | None = Field(None, gt=0, description="M: SOAP sparse points")
    f: float | None = Field(0.001, gt=0, description="Eq. 8 factor (null: fixed sigmas)")
    f_min: float = Field(0.01, gt=0, description="Eq. 8 force floor F_min (eV/Å)")
    overrides: dict[str, Any] = Field(
        default_factory=dict, description="Fields of GapHyperparameters to override"
    )

    def hyperparameters(self) -> GapHyperparameters:
        """Build the hyperparameters from the preset, overrides and M.

        Returns
        -------
        GapHyperparameters
            The validated hyperparameters.
        """
        base = GapHyperparameters.gap18() if self.preset == "gap18" else GapHyperparameters.small()
        merged = deep_merge(base.model_dump(), self.overrides)
        hyper = GapHyperparameters.model_validate(merged)
        return hyper.with_n_sparse(self.n_sparse) if self.n_sparse else hyper


class KappaSection(BaseModel):
    """Optional lattice thermal conductivity (phono3py) for chosen structures."""

    model_config = ConfigDict(extra="forbid")

    structures: list[str] = Field(
        default_factory=list, description="Structure names (mp ids for bundled allotropes)"
    )
    reference: bool = Field(True, description="Also compute the reference's kappa")
    settings: KappaSettings = Field(default_factory=KappaSettings)


class CampaignSection(BaseModel):
    """A screening campaign: one flow (and one GAP) per structure, plus a summary job."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(
        None, description="Campaign name to find results by (default: the workflow's name)"
    )
    skip_finished: bool = Field(
        True, description="Skip structures whose results are already in the store"
    )


class ScanSection(BaseModel):
    """Optional parameter scan: one fit per value on the same training data."""

    model_config = ConfigDict(extra="forbid")

    parameter: Literal["f", "n_sparse"] = Field(
        description="f: regularisation scan (Eq. 8); n_sparse: learning curve in M"
    )
    values: list[float] = Field(min_length=1, description="The values of the parameter")
    with_randomised: list[bool] = Field(
        default_factory=lambda: [False],
        description="f scans: fit without (false) and/or with (true) randomised supercells",
    )

    @model_validator(mode="after")
    def _values_fit_parameter(self) -> ScanSection:
        if any(value <= 0 for value in self.values):
            raise ValueError(f"scan values must be > 0, got {self.values}")
        if self.parameter == "n_sparse" and any(v != int(v) for v in self.values):
            raise ValueError(f"n_sparse scan values must be integers, got {self.values}")
        return self

    def maker(self, name: str, base: Any) -> ParameterScanMaker:
        """Wrap a base Maker in the scan Maker.

        Parameters
        ----------
        name
            Flow name.
        base
            The PhononAccurateGapMaker or ImportedDataGapMaker every variant starts from.

        Returns
        -------
        ParameterScanMaker
            A RegularizationScanMaker or LearningCurveMaker.
        """
        if self.parameter == "f":
            return RegularizationScanMaker(
                name=name, base=base, f_values=self.values, with_randomised=self.with_randomised
            )
        return LearningCurveMaker(
            name=name,
            base=base,
            n_sparse_values=[int(v) for v in self.values],
            with_randomised=any(self.with_randomised),
        )


class WorkflowFile(BaseModel):
    """A phonon-accurate GAP workflow."""

    model_config = ConfigDict(extra="forbid")

    name: str = "phonon_accurate_gap"
    workflow: Literal["phonon_accurate_gap", "imported_data_gap", "extend_database"] = Field(
        "phonon_accurate_gap",
        description=(
            "phonon_accurate_gap: label structures with a reference; imported_data_gap: fit "
            "existing DFT datasets and benchmark on their phonons; extend_database: add "
            "supercells of the structures to a base database, refit and benchmark"
        ),
    )
    structures: StructureSources | None = None
    datasets: list[DatasetSpec] = Field(
        default_factory=list, description="Labelled datasets to import (imported_data_gap)"
    )
    equilibrium: EquilibriumSettings = Field(
        default_factory=EquilibriumSettings,
        description="Zero-stress constraints at the dataset cells (imported_data_gap)",
    )
    reference: dict[str, Any] = Field(default_factory=lambda: {"backend": "sw"})
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    fit: FitSection = Field(default_factory=FitSection)
    relax: RelaxSettings = Field(default_factory=RelaxSettings)
    filters: FilterSettings = Field(default_factory=FilterSettings)
    phonons: PhononSettings = Field(default_factory=PhononSettings)
    kappa: KappaSection = Field(default_factory=KappaSection)
    n_workers: int | None = Field(None, gt=0)
    campaign: CampaignSection | None = Field(
        None, description="Run one flow per structure (see phonogap.campaign)"
    )
    scan: ScanSection | None = Field(None, description="Optional f scan or learning curve")
    base_database: BaseDatabaseSection | None = Field(
        None, description="The database to extend: generate or dataset (extend_database)"
    )
    extension: ExtensionSection | None = Field(
        None, description="Sparse split, sigmas and benchmarks (extend_database)"
    )

    @model_validator(mode="after")
    def _inputs_match_workflow(self) -> WorkflowFile:
        if self.workflow == "phonon_accurate_gap" and self.structures is None:
            raise ValueError(
                "workflow 'phonon_accurate_gap' needs a 'structures' section "
                "(allotropes, files or directory)"
            )
        if self.workflow == "imported_data_gap" and not self.datasets:
            raise ValueError(
                "workflow 'imported_data_gap' needs a 'datasets' list, e.g. "
                "[{importer: phonopy, path: 22_phonopy.yaml, mp_id: mp-149}] or "
                "[{bundled: george2020_castep, structures: stable}]"
            )
        problems = extend_database_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        if self.campaign is not None and (self.workflow != "phonon_accurate_gap" or self.scan):
            raise ValueError(
                "a 'campaign' runs one phonon_accurate_gap flow per structure; remove "
                "'campaign' or use workflow 'phonon_accurate_gap' without 'scan'"
            )
        return self


def _format_validation_error(path: Path, error: ValidationError, example: str) -> str:
    lines = [f"workflow file {path} is invalid:"]
    for item in error.errors():
        location = ".".join(str(part) for part in item["loc"]) or "(top level)"
        lines.append(f"  field '{location}': {item['msg']}")
    lines.append(f"Fix these fields (see workflows/{example} for a complete example).")
    return "\n".join(lines)


def read_workflow_file(path: str | Path) -> WorkflowFile:
    """Read and validate a workflow file.

    Parameters
    ----------
    path
        YAML file.

    Returns
    -------
    WorkflowFile
        The validated workflow.

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
    try:
        workflow = WorkflowFile.model_validate(raw)
        reference_from_spec(workflow.reference)
        workflow.fit.hyperparameters()
    except ValidationError as exc:
        example = "extend_sw.yaml" if raw.get("workflow") == "extend_database" else "demo.yaml"
        raise WorkflowFileError(_format_validation_error(path, exc, example)) from exc
    except (KeyError, ValueError) as exc:
        raise WorkflowFileError(f"workflow file {path}: {exc}") from exc
    return workflow


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


def maker_from_workflow(workflow: WorkflowFile) -> PhononAccurateGapMaker:
    """Build the Maker a workflow file describes.

    Parameters
    ----------
    workflow
        The validated workflow.

    Returns
    -------
    PhononAccurateGapMaker
        Ready to ``make`` the Flow.
    """
    return PhononAccurateGapMaker(
        name=workflow.name,
        reference=reference_from_spec(workflow.reference),
        database=workflow.database,
        hyperparameters=workflow.fit.hyperparameters(),
        f=workflow.fit.f,
        f_min=workflow.fit.f_min,
        relax_settings=workflow.relax,
        filter_settings=workflow.filters,
        phonon_settings=workflow.phonons,
        kappa_structures=workflow.kappa.structures,
        kappa_settings=workflow.kappa.settings,
        kappa_of_reference=workflow.kappa.reference,
        n_workers=workflow.n_workers,
    )


def flow_from_workflow(workflow: WorkflowFile, base_dir: Path) -> tuple[Flow, int]:
    """Build the Flow a workflow file describes.

    Parameters
    ----------
    workflow
        The validated workflow.
    base_dir
        Directory relative paths are resolved against (the workflow file's).

    Returns
    -------
    tuple
        The Flow and the number of structures or datasets it covers.
    """
    if workflow.workflow == "imported_data_gap":
        datasets = [s for spec in workflow.datasets for s in spec.expanded(base_dir)]
        base: Any = ImportedDataGapMaker(
            name=workflow.name,
            datasets=datasets,
            hyperparameters=workflow.fit.hyperparameters(),
            f=workflow.fit.f,
            f_min=workflow.fit.f_min,
            equilibrium=workflow.equilibrium,
            relax_settings=workflow.relax,
            phonon_settings=workflow.phonons,
            n_workers=workflow.n_workers,
        )
        if workflow.scan:
            return workflow.scan.maker(workflow.name, base).make(), len(datasets)
        return base.make(), len(datasets)
    assert workflow.structures is not None  # checked by the model validator
    structures, mp_ids = load_structures_from(workflow.structures, base_dir)
    if workflow.workflow == "extend_database":
        return extension_flow(workflow, structures, mp_ids, base_dir), len(structures)
    base = maker_from_workflow(workflow)
    if workflow.scan:
        base.kappa_structures = []  # kappa belongs to single runs, not to every scan variant
        return workflow.scan.maker(workflow.name, base).make(structures, mp_ids), len(structures)
    return base.make(structures, mp_ids=mp_ids), len(structures)
