"""Which structures get a lattice thermal conductivity, and how (a Maker's ``kappa`` field)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from phonogap.schemas.kappa import KappaSettings


class KappaBenchmarkSettings(BaseModel):
    """Optional phono3py kappa for chosen structures, with the potential and the reference."""

    model_config = ConfigDict(extra="forbid")

    structures: list[str] = Field(
        default_factory=list, description="Structure names (mp ids for bundled allotropes)"
    )
    reference: bool = Field(
        True, description="Also compute the reference's kappa (extra labels for DFT)"
    )
    settings: KappaSettings = Field(
        default_factory=KappaSettings,
        description="phono3py settings (0.03 Å pair displacements, 11³ mesh, 300/600/900 K)",
    )
