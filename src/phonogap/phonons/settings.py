"""Settings of the harmonic phonon benchmark."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class PhononSettings(BaseModel):
    """How phonons are computed and compared."""

    model_config = ConfigDict(extra="forbid")

    points_per_segment: int = Field(51, ge=2, description="q-points per band-path segment")
    mesh: float | tuple[int, int, int] = Field(
        30.0,
        description=(
            "Γ-centred q-mesh for imaginary-mode flags and the DOS: three integers, or a "
            "length in Å that phonopy turns into a mesh (30 Å: 10x10x10 for diamond Si)"
        ),
    )
    max_supercell_atoms: int | None = Field(
        1000,
        gt=0,
        description=(
            "Refuse phonopy supercells with more atoms, before they are built (None: no "
            "limit); the bundled CASTEP datasets need at most 272"
        ),
    )
    potential_geometry: Literal["relaxed", "reference"] = Field(
        "relaxed",
        description=(
            "Where the potential's phonons are computed: at the structure relaxed with the "
            "potential (the paper's protocol) or at the reference geometry (isolates the "
            "force-constant error from the geometry error)"
        ),
    )
