"""The ``extend_database`` workflow type: sections of the workflow file and its Flow.

A workflow file with ``workflow: extend_database`` adds single-displacement and randomised
supercells of its ``structures`` to a base database and refits with a per-config_type sparse
split (:class:`~phonogap.flows.ExtendDatabaseMaker`). The base database is either generated
with the reference (``base_database: {generate: {preset: default}}``, the
:class:`~phonogap.flows.GeneralDatabaseMaker`) or imported from labelled data
(``base_database: {dataset: {importer: mlearn, path: ...}}``), inside a job.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from jobflow import Flow
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from phonogap.database.extend import RANDOMISED_SIGMA
from phonogap.database.general import GeneralDatabaseSettings
from phonogap.flows.extend_database import ExtendDatabaseMaker, GeneralDatabaseMaker
from phonogap.importers.jobs import DatasetSpec, import_base_database
from phonogap.md.protocol import MeltQuenchSettings
from phonogap.reference.registry import reference_from_spec

if TYPE_CHECKING:
    from pymatgen.core import Structure

EXTEND_DATABASE = "extend_database"
"""The ``workflow:`` value of this workflow type."""

DEFAULT_EXTENSION_F = 0.01
"""Eq. 8 factor used when ``fit.f`` is not given (the paper: 0.01 keeps transferability)."""


def deep_merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Merge ``overrides`` into a copy of ``base``, recursing into nested mappings.

    Parameters
    ----------
    base
        Settings of a preset, as a mapping.
    overrides
        Fields the workflow file sets.

    Returns
    -------
    dict
        A new mapping; neither input is changed.
    """
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _explain(error: ValidationError, section: str) -> str:
    """Turn a nested model's validation error into one line per field under ``section``."""
    parts = []
    for item in error.errors():
        location = ".".join(str(part) for part in item["loc"])
        parts.append(f"'{section}.{location}': {item['msg']}" if location else item["msg"])
    return "; ".join(parts)


class GenerateSection(BaseModel):
    """Generate the base database with the reference (``base_database.generate``).

    Any field of :class:`~phonogap.database.general.GeneralDatabaseSettings` may be given
    next to ``preset``; mappings (``md``) are merged into the preset's.
    """

    model_config = ConfigDict(extra="allow")

    preset: Literal["default", "ci"] = Field(
        "default",
        description="default: 62-atom melt-quench, 50 snapshots, 20 strained cells (minutes "
        "with sw); ci: 300 MD steps, 6 strained cells (seconds)",
    )

    @model_validator(mode="after")
    def _valid_settings(self) -> GenerateSection:
        self.settings()
        return self

    def settings(self) -> GeneralDatabaseSettings:
        """Build the settings: the preset with the other fields merged in.

        Returns
        -------
        GeneralDatabaseSettings
            The validated settings.

        Raises
        ------
        ValueError
            Naming the field under ``base_database.generate`` and the valid fields.
        """
        preset = GeneralDatabaseSettings.ci() if self.preset == "ci" else GeneralDatabaseSettings()
        try:
            return GeneralDatabaseSettings.model_validate(
                deep_merge(preset.model_dump(), dict(self.model_extra or {}))
            )
        except ValidationError as exc:
            names = ["preset", *GeneralDatabaseSettings.model_fields]
            fields = ", ".join(n if n != "md" else "md (MeltQuenchSettings fields)" for n in names)
            raise ValueError(
                f"{_explain(exc, 'base_database.generate')}; valid fields: {fields}"
            ) from None


class BaseDatabaseSection(BaseModel):
    """The database being extended: exactly one of ``generate`` or ``dataset``."""

    model_config = ConfigDict(extra="forbid")

    generate: GenerateSection | None = Field(
        None, description="Generate a general-purpose database with the reference"
    )
    dataset: DatasetSpec | None = Field(
        None,
        description="Import labelled data, e.g. {importer: mlearn, path: training.json}; "
        "it must be labelled with the same reference (functional) as 'reference'",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> BaseDatabaseSection:
        if (self.generate is None) == (self.dataset is None):
            given = "both 'generate' and 'dataset'" if self.generate else "neither"
            raise ValueError(
                f"base_database needs exactly one of 'generate' or 'dataset', got {given}; "
                "write e.g. 'base_database: {generate: {preset: default}}' or "
                "'base_database: {dataset: {importer: mlearn, path: training.json}}'"
            )
        return self


class MeltQuenchSection(BaseModel):
    """The optional melt–quench transferability benchmark (``extension.melt_quench``)."""

    model_config = ConfigDict(extra="forbid")

    preset: Literal["none", "ci", "paper"] = Field(
        "none",
        description="none: no melt-quench; ci: 62 atoms, 700 steps (seconds with sw); "
        "paper: 500 atoms, 410,000 steps (days)",
    )
    overrides: dict[str, Any] = Field(
        default_factory=dict, description="Fields of MeltQuenchSettings to change in the preset"
    )

    @model_validator(mode="after")
    def _valid_settings(self) -> MeltQuenchSection:
        if self.preset == "none" and self.overrides:
            raise ValueError(
                "extension.melt_quench.overrides needs a protocol to change: set "
                "'extension.melt_quench.preset' to ci or paper (or remove 'overrides')"
            )
        self.settings()
        return self

    def settings(self) -> MeltQuenchSettings | None:
        """Build the protocol from the preset and overrides.

        Returns
        -------
        MeltQuenchSettings or None
            ``None`` for preset ``none``.

        Raises
        ------
        ValueError
            Naming the field under ``extension.melt_quench.overrides``.
        """
        if self.preset == "none":
            return None
        preset = MeltQuenchSettings.ci() if self.preset == "ci" else MeltQuenchSettings.paper()
        try:
            return MeltQuenchSettings.model_validate({**preset.model_dump(), **self.overrides})
        except ValidationError as exc:
            raise ValueError(_explain(exc, "extension.melt_quench.overrides")) from None


class ExtensionSection(BaseModel):
    """Sparse split, sigmas and benchmarks of the extension (``extension``)."""

    model_config = ConfigDict(extra="forbid")

    n_sparse_base: int = Field(9000, gt=0, description="M_base: sparse points of the base")
    n_sparse_new: int = Field(3000, gt=0, description="M_new: sparse points of the new cells")
    base_split: dict[str, int] | None = Field(
        None,
        description="Explicit split of the base config_types, rescaled to n_sparse_base "
        "(default: in proportion to atoms)",
    )
    new_split: dict[str, int] | None = Field(
        None, description="Explicit split of the new config_types (default: by atoms)"
    )
    benchmark_base: bool = Field(
        True, description="Also fit the base alone (M_base) and benchmark its phonons"
    )
    randomised_sigma: tuple[float, float, float, float] | None = Field(
        None,
        description="Sigma of the new randomised cells: energy (eV/atom), force (eV/Å), "
        f"virial (eV/atom), Hessian; default {RANDOMISED_SIGMA}",
    )
    melt_quench: MeltQuenchSection = Field(default_factory=MeltQuenchSection)


def extend_database_problems(workflow: Any) -> list[str]:
    """List what a workflow file has that does not fit its workflow type's extension fields.

    Parameters
    ----------
    workflow
        The :class:`~phonogap.workflow_file.WorkflowFile` being validated.

    Returns
    -------
    list of str
        One message per problem, naming the field and the fix (empty if valid).
    """
    if workflow.workflow != EXTEND_DATABASE:
        return [
            f"'{name}' belongs to workflow 'extend_database'; remove it or set "
            "'workflow: extend_database'"
            for name in ("base_database", "extension")
            if getattr(workflow, name) is not None
        ]
    problems = []
    if workflow.structures is None:
        problems.append(
            "workflow 'extend_database' needs a 'structures' section (the structures whose "
            "supercells extend the database), e.g. 'structures: {allotropes: [mp-149]}'"
        )
    if workflow.base_database is None:
        problems.append(
            "workflow 'extend_database' needs a 'base_database' section: "
            "'{generate: {preset: default}}' or '{dataset: {importer: mlearn, path: ...}}'"
        )
    for name in ("scan", "campaign"):
        if getattr(workflow, name) is not None:
            problems.append(
                f"'{name}' cannot be combined with workflow 'extend_database'; remove '{name}' "
                "(an extension runs its own base and extended fits)"
            )
    if workflow.datasets:
        problems.append(
            "'datasets' belongs to workflow 'imported_data_gap'; the database to extend goes "
            "in 'base_database.dataset'"
        )
    if workflow.kappa.structures:
        problems.append("'kappa' is not computed by workflow 'extend_database'; remove it")
    if workflow.fit.n_sparse is not None:
        problems.append(
            "'fit.n_sparse' is replaced by the sparse split of workflow 'extend_database'; "
            "set 'extension.n_sparse_base' and 'extension.n_sparse_new' instead"
        )
    return problems


def extension_maker(workflow: Any) -> ExtendDatabaseMaker:
    """Build the extension Maker a workflow file describes.

    Parameters
    ----------
    workflow
        A validated ``extend_database`` workflow.

    Returns
    -------
    ExtendDatabaseMaker
        Named like the workflow; ``fit.f`` defaults to 0.01 when the file does not set it.
    """
    extension: ExtensionSection = workflow.extension or ExtensionSection()
    f = workflow.fit.f if "f" in workflow.fit.model_fields_set else DEFAULT_EXTENSION_F
    return ExtendDatabaseMaker(
        name=workflow.name,
        reference=reference_from_spec(workflow.reference),
        database=workflow.database,
        hyperparameters=workflow.fit.hyperparameters(),
        n_sparse_base=extension.n_sparse_base,
        n_sparse_new=extension.n_sparse_new,
        base_split=extension.base_split,
        new_split=extension.new_split,
        f=f,
        f_min=workflow.fit.f_min,
        randomised_sigma=extension.randomised_sigma or RANDOMISED_SIGMA,
        benchmark_base=extension.benchmark_base,
        melt_quench=extension.melt_quench.settings(),
        relax_settings=workflow.relax,
        filter_settings=workflow.filters,
        phonon_settings=workflow.phonons,
        n_workers=workflow.n_workers,
    )


def extension_flow(
    workflow: Any,
    structures: dict[str, Structure],
    mp_ids: dict[str, str],
    base_dir: Path,
) -> Flow:
    """Build the Flow of an ``extend_database`` workflow: base database, then extension.

    Parameters
    ----------
    workflow
        A validated ``extend_database`` workflow.
    structures
        Name to structure whose supercells extend the database.
    mp_ids
        Name to Materials Project id.
    base_dir
        Directory the dataset path is resolved against (the workflow file's).

    Returns
    -------
    Flow
        ``general_database`` (or ``import_base_database``) and the extension flow; named like
        the workflow, with the extension flow's output.
    """
    section: BaseDatabaseSection = workflow.base_database
    if section.generate is not None:
        base = GeneralDatabaseMaker(
            reference=reference_from_spec(workflow.reference),
            settings=section.generate.settings(),
            n_workers=workflow.n_workers,
        ).make()
    else:
        assert section.dataset is not None  # exactly one, checked by the model
        base = import_base_database(section.dataset.resolved(Path(base_dir)))
    extend = extension_maker(workflow).make(structures, base.output, mp_ids=mp_ids)
    return Flow([base, extend], output=extend.output, name=workflow.name)


def summary_run_names(workflow: Any) -> dict[str, str]:
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
    extension = workflow.extension or ExtensionSection()
    labels = ["extended", "base"] if extension.benchmark_base else ["extended"]
    return {label: f"{workflow.name} {label}" for label in labels}
