"""Settings of the training database (strategy, supercells, randomisation)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Strategy = Literal["single_displacement", "randomised", "both"]


class DatabaseSettings(BaseModel):
    """How training configurations are generated from the relaxed structures."""

    model_config = ConfigDict(extra="forbid")

    strategy: Strategy = Field(
        "both", description="single_displacement, randomised, or both (the paper's best)"
    )
    displacement_ang: float = Field(0.01, gt=0, description="phonopy displacement (Å)")
    min_supercell_length_ang: float = Field(
        15.0, gt=0, description="Every supercell lattice vector at least this long (Å)"
    )
    max_supercell_atoms: int | None = Field(
        1000,
        gt=0,
        description=(
            "Refuse (before building them) phonopy and randomised supercells with more atoms "
            "(None: no limit)"
        ),
    )
    n_randomised: int = Field(10, ge=0, description="Randomised supercells per structure")
    randomised_min_length_ang: float | None = Field(
        None, gt=0, description="Supercell size of randomised cells (default: as phonons)"
    )
    scale_range: tuple[float, float] = Field(
        (0.97, 1.03), description="Range of the isotropic lattice scale factor"
    )
    rattle_std_ang: float = Field(0.01, ge=0, description="Gaussian rattle std. dev. (Å)")
    seed: int = Field(0, description="Random seed of the randomised supercells")
    include_isolated_atom: bool = Field(True, description="Add the isolated atom (sets e0)")

    @model_validator(mode="after")
    def _check_scale(self) -> DatabaseSettings:
        low, high = self.scale_range
        if not 0 < low <= high:
            raise ValueError(
                f"scale_range {self.scale_range} must satisfy 0 < low <= high, e.g. [0.97, 1.03]"
            )
        return self

    @property
    def uses_single_displacements(self) -> bool:
        """Whether phonopy single-displacement supercells are part of the database."""
        return self.strategy in ("single_displacement", "both")

    @property
    def uses_randomised(self) -> bool:
        """Whether randomised supercells are part of the database."""
        return self.strategy in ("randomised", "both") and self.n_randomised > 0
