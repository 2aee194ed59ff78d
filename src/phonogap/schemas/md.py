"""Documents of the melt–quench benchmark."""

from __future__ import annotations

from pydantic import BaseModel, Field

from phonogap.schemas.configuration import Configuration
from phonogap.schemas.provenance import ReferenceProvenance


class SnapshotError(BaseModel):
    """Errors of one candidate potential on one reference-labelled melt–quench snapshot."""

    index: int = Field(description="Position of the snapshot in the trajectory")
    phase: str = Field(description="Protocol phase (e.g. liquid, quench, amorphous)")
    md_step: int
    time_ps: float = Field(description="Simulation time (ps)")
    temperature_k: float = Field(description="Instantaneous temperature (K)")
    energy_error_mev_per_atom: float = Field(
        description="Signed energy error, potential - reference (meV/atom)"
    )
    force_rmse_ev_per_ang: float = Field(description="RMS over all force components (eV/Å)")
    reference_energy_ev_per_atom: float = Field(description="Reference energy (eV/atom)")


class PhaseErrors(BaseModel):
    """A candidate's errors in one phase: means over the last snapshots (the paper's table)."""

    energy_mae_mev_per_atom: float = Field(description="Mean |ΔE|/N (meV/atom)")
    energy_mean_mev_per_atom: float = Field(description="Signed mean ΔE/N (meV/atom)")
    force_rmse_ev_per_ang: float = Field(description="Mean of the per-snapshot force RMS (eV/Å)")
    n_snapshots: int = Field(description="Snapshots averaged")


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

    reference: ReferenceProvenance = Field(
        description="Provenance of the reference that labelled snapshots"
    )
    driver: dict = Field(description="Provenance of the potential that drove the MD")
    settings: dict
    potentials: dict[str, dict] = Field(
        description="Candidate name to its description (xml path, sha256, f, M)"
    )
    snapshot_errors: dict[str, list[SnapshotError]] = Field(
        description="Candidate name to one row per snapshot: phase, time_ps, temperature_k, "
        "energy_error_mev_per_atom (signed), force_rmse_ev_per_ang"
    )
    phase_errors: dict[str, dict[str, PhaseErrors]] = Field(
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
            {"potential": name, "phase": phase, **values.model_dump()}
            for name, phases in self.phase_errors.items()
            for phase, values in phases.items()
        ]
