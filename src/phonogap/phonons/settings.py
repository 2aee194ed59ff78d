"""Settings of the harmonic phonon benchmark."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class PhononSettings(BaseModel):
    """How phonons are computed and compared."""

    model_config = ConfigDict(extra="forbid")

    points_per_segment: int = Field(51, ge=2, description="q-points per band-path segment")
    mesh: tuple[int, int, int] = Field(
        (8, 8, 8), description="Γ-centred q-mesh used for imaginary-mode flags and the DOS"
    )
