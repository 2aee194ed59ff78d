"""Documents of the melt–quench benchmark."""

from __future__ import annotations

from pydantic import BaseModel, Field

from phonogap.schemas.configuration import Configuration


class MeltQuenchTrajectoryDocument(BaseModel):
    """Snapshots of one melt–quench run and its temperature/density log."""

    driver: dict = Field(description="Provenance of the potential that drove the MD")
    settings: dict = Field(description="MeltQuenchSettings (temperatures K, steps, rate K/ps)")
    snapshots: list[Configuration] = Field(description="Snapshots, info: md_phase, T, density")
    thermo: dict[str, list] = Field(
        description="step, time_ps, phase, target_temperature_k, temperature_k, "
        "density_g_cm3, rms_displacement_ang"
    )
    n_atoms: int
    wall_time_s: float
    versions: dict[str, str] = Field(default_factory=dict)


class MeltQuenchErrorsDocument(BaseModel):
    """Errors of candidate potentials on reference-labelled melt–quench snapshots."""

    reference: dict = Field(description="Provenance of the reference that labelled snapshots")
    driver: dict = Field(description="Provenance of the potential that drove the MD")
    settings: dict
    potentials: dict[str, dict] = Field(
        description="Candidate name to its description (xml path, sha256, f, M)"
    )
    snapshot_errors: dict[str, list[dict]] = Field(
        description="Candidate name to one row per snapshot: phase, time_ps, temperature_k, "
        "energy_error_mev_per_atom (signed), force_rmse_ev_per_ang"
    )
    phase_errors: dict[str, dict[str, dict]] = Field(
        description="Candidate name to phase to energy_mae_mev_per_atom, "
        "energy_mean_mev_per_atom, force_rmse_ev_per_ang (means of the last five snapshots)"
    )
    phase_diagnostics: dict[str, dict] = Field(
        description="Phase to temperature_k, density_g_cm3, coordination, "
        "rms_displacement_ang, mobility_ang (last five snapshots)"
    )
    thermo: dict[str, list] = Field(default_factory=dict)
    n_atoms: int
    n_snapshots: int
    wall_time_s: float = Field(description="Labelling and evaluation time (s)")
    versions: dict[str, str] = Field(default_factory=dict)

    def table(self) -> list[dict]:
        """Flatten the per-phase errors into rows (one per candidate and phase).

        Returns
        -------
        list of dict
            ``potential``, ``phase``, ``energy_mae_mev_per_atom``, ``force_rmse_ev_per_ang``.
        """
        return [
            {"potential": name, "phase": phase, **values}
            for name, phases in self.phase_errors.items()
            for phase, values in phases.items()
        ]
