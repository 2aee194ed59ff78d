"""Documents of parameter scans (regularisation f, learning curve in M)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from phonogap.schemas.phonons import BenchmarkRow


def _is_none(value: object) -> bool:
    return value is None


class ScanVariant(BaseModel):
    """One fit of a scan: its parameters and a label for tables and plots."""

    label: str = Field(description="e.g. 'f=0.001' or 'M=300, +randomised'")
    f: float | None = Field(description="Eq. 8 factor (None: fixed sigmas)")
    n_sparse: int = Field(description="M, SOAP sparse points")
    with_randomised: bool = Field(description="Randomised supercells in the training set")


class ScanVariantResult(ScanVariant):
    """One fit of a scan with its benchmark: a row of the scan's variant table."""

    median_rms_thz: float | None = Field(description="Median phonon RMS error (THz)")
    n_false_instabilities: int
    fit_wall_time_s: float | None = Field(None, description="gap_fit wall time (s)")
    soap_sparse_points_used: int | None = Field(
        None, description="SOAP sparse points gap_fit kept (None: not recorded)"
    )
    training_force_rmse_ev_per_ang: float | None = Field(
        None, description="Force RMSE on the training set (eV/Å)"
    )
    failed: list[str] = Field(default_factory=list, description="Structures whose job failed")


class ScanRow(ScanVariant, BenchmarkRow):
    """One (variant, structure) pair: the variant's fields plus the structure's benchmark row."""

    soap_sparse_points_used: int | None = Field(
        None,
        exclude_if=_is_none,
        description="SOAP sparse points the variant's gap_fit kept (None: not recorded, and "
        "then left out of the dump, so rows stored before this field round-trip unchanged)",
    )


class ScanSummaryDocument(BaseModel):
    """The full table of a scan: every variant, every structure."""

    run_name: str
    parameter: str = Field(description="The scanned parameter: 'f' or 'n_sparse'")
    variants: list[ScanVariantResult] = Field(
        description=(
            "One row per fit: label, f, n_sparse, with_randomised, median_rms_thz, "
            "n_false_instabilities, fit_wall_time_s, soap_sparse_points_used, "
            "training_force_rmse_ev_per_ang, failed structures"
        )
    )
    rows: list[ScanRow] = Field(
        description="One row per (variant, structure): the variant fields plus the benchmark row"
    )
    failed_variants: list[str] = Field(
        default_factory=list, description="Variants whose fit or benchmark produced no summary"
    )
    settings: dict = Field(
        default_factory=dict, description="Settings shared by all variants (free-form)"
    )
