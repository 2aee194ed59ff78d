"""Documents of database extension: the merged dataset with its sparse split, and its fit."""

from __future__ import annotations

from pydantic import Field

from phonogap.schemas.dataset import LabelledDatasetDocument
from phonogap.schemas.fit import GapFitDocument


class ExtendedDatasetDocument(LabelledDatasetDocument):
    """A base database merged with new configurations, and the sparse split to fit it with."""

    sparse_split: dict[str, int] = Field(description="config_type_n_sparse (count)")
    n_sparse_base: int = Field(description="M_base: sparse points from base config_types")
    n_sparse_new: int = Field(description="M_new: sparse points from the new configurations")
    base_config_types: list[str]
    new_config_types: list[str]
    base_summary: dict = Field(default_factory=dict)
    new_summary: dict = Field(default_factory=dict)


class ExtendedFitDocument(GapFitDocument):
    """A GAP fitted to an extended database; records the whole sparse split."""

    sparse_split: dict[str, int] = Field(description="config_type_n_sparse passed to gap_fit")
    n_sparse_base: int
    n_sparse_new: int
    label: str = Field("", description="Name of this fit (e.g. base, extended f=0.01)")
