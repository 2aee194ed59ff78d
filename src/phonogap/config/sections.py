"""The sections of a workflow file that are not Maker fields: inputs and wrappers.

``structures`` and ``base_database`` are what a Maker's ``make`` takes; ``scan`` and
``campaign`` wrap the Maker in a scan or campaign Maker. Everything else in a workflow file
is a field of the Maker.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from phonogap.database.general import GeneralDatabaseSettings
from phonogap.flows.campaign import CampaignMaker
from phonogap.flows.imported_data_gap import ImportedDataGapMaker
from phonogap.flows.phonon_accurate_gap import PhononAccurateGapMaker
from phonogap.flows.scans import LearningCurveMaker, ParameterScanMaker, RegularizationScanMaker
from phonogap.importers.training_data import DatasetSpec


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


class BaseDatabaseSection(BaseModel):
    """The database an ``extend_database`` workflow extends: ``generate`` or ``dataset``."""

    model_config = ConfigDict(extra="forbid")

    generate: GeneralDatabaseSettings | None = Field(
        None,
        description="Generate a general-purpose database with the reference "
        "({preset: default} or {preset: ci}, with fields to change next to the preset)",
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


class CampaignSection(BaseModel):
    """A screening campaign: one flow (and one GAP) per structure, plus a summary job."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(
        None, description="Campaign name to find results by (default: the workflow's name)"
    )
    skip_finished: bool = Field(
        True, description="Skip structures whose results are already in the store"
    )

    def maker(self, base: PhononAccurateGapMaker) -> CampaignMaker:
        """Wrap the base Maker in the campaign Maker.

        Parameters
        ----------
        base
            The Maker every structure's flow is built with.

        Returns
        -------
        CampaignMaker
            Named like the section, or like the base Maker.
        """
        return CampaignMaker(
            name=self.name or base.name, base=base, skip_finished=self.skip_finished
        )


class ScanSection(BaseModel):
    """A parameter scan: one fit per value on the same training data."""

    model_config = ConfigDict(extra="forbid")

    parameter: Literal["f", "n_sparse"] = Field(
        description="f: regularisation scan (Eq. 8); n_sparse: learning curve in M"
    )
    values: list[float] = Field(min_length=1, description="The values of the parameter")
    with_randomised: list[bool] | None = Field(
        None,
        description="Fit without (false) and/or with (true) the randomised supercells; default: "
        "[false] for f scans (the paper's study), and for a learning curve every cell the "
        "database has (true when its strategy is 'both' or 'randomised')",
    )

    @model_validator(mode="after")
    def _values_fit_parameter(self) -> ScanSection:
        if any(value <= 0 for value in self.values):
            raise ValueError(f"scan values must be > 0, got {self.values}")
        if self.parameter == "n_sparse" and any(v != int(v) for v in self.values):
            raise ValueError(f"n_sparse scan values must be integers, got {self.values}")
        return self

    def maker(self, base: PhononAccurateGapMaker | ImportedDataGapMaker) -> ParameterScanMaker:
        """Wrap the base Maker in the scan Maker.

        Parameters
        ----------
        base
            The Maker every variant starts from; the scan is named like it.

        Returns
        -------
        ParameterScanMaker
            A RegularizationScanMaker or LearningCurveMaker.
        """
        if self.parameter == "f":
            return RegularizationScanMaker(
                name=base.name,
                base=base,
                f_values=self.values,
                with_randomised=self.with_randomised or [False],
            )
        return LearningCurveMaker(
            name=base.name,
            base=base,
            n_sparse_values=[int(v) for v in self.values],
            with_randomised=True if self.with_randomised is None else any(self.with_randomised),
        )
