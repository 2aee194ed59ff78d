"""Settings of a database extension: the sparse split, the new cells' sigmas, the benchmarks."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from phonogap.database.extend import RANDOMISED_SIGMA
from phonogap.md.protocol import MeltQuenchSettings


class ExtensionSettings(BaseModel):
    """How supercells extend a base database (the paper's GAP-18 + supercells).

    ``melt_quench`` takes the protocol's fields or ``{preset: ci}`` / ``{preset: paper}``
    (with fields to change next to the preset); null skips the melt–quench benchmark.
    """

    model_config = ConfigDict(extra="forbid")

    n_sparse_base: int = Field(9000, gt=0, description="M_base: sparse points of the base")
    n_sparse_new: int = Field(3000, gt=0, description="M_new: sparse points of the new cells")
    base_split: dict[str, int] | None = Field(
        None,
        description="Explicit sparse split of the base config_types (e.g. GAP-18's), "
        "rescaled to n_sparse_base; default: in proportion to the base's atoms",
    )
    new_split: dict[str, int] | None = Field(
        None, description="Explicit split of the new config_types; default: by atoms"
    )
    randomised_sigma: tuple[float, float, float, float] = Field(
        RANDOMISED_SIGMA,
        description="Sigma of the new randomised cells: energy (eV/atom), force (eV/Å), "
        "virial (eV/atom), Hessian",
    )
    benchmark_base: bool = Field(
        True, description="Also fit the base alone (M_base) and benchmark its phonons"
    )
    melt_quench: MeltQuenchSettings | None = Field(
        None, description="Melt-quench transferability benchmark of the potentials (null: none)"
    )
