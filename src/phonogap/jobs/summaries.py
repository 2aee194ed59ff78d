"""Workflow layer: summary jobs, one table of all structures of a run (and kappa), one of a scan."""

from __future__ import annotations

import statistics
from typing import TYPE_CHECKING

from jobflow import job

from phonogap.schemas.fit import FitSummary
from phonogap.schemas.kappa import kappa_row
from phonogap.schemas.phonons import BenchmarkSummaryDocument
from phonogap.schemas.scans import ScanRow, ScanSummaryDocument, ScanVariant, ScanVariantResult
from phonogap.schemas.structures import DroppedStructure

if TYPE_CHECKING:
    from phonogap.schemas.fit import GapFitDocument
    from phonogap.schemas.kappa import KappaDocument
    from phonogap.schemas.phonons import PhononBenchmarkDocument


@job(name="summarise_benchmarks", output_schema=BenchmarkSummaryDocument)
def summarise_benchmarks(
    documents: list[PhononBenchmarkDocument | None],
    names: list[str],
    run_name: str,
    dropped: list[DroppedStructure | dict],
    fit: GapFitDocument,
    settings: dict,
    kappa: list[KappaDocument | None] | None = None,
) -> BenchmarkSummaryDocument:
    """Collect per-structure benchmarks into one table; failed structures are listed.

    Parameters
    ----------
    documents
        Benchmark outputs (None where a job failed).
    names
        Structure names, same order.
    run_name
        Name of the run.
    dropped
        Structures dropped before fitting, with reasons.
    fit
        The fitted potential's document.
    settings
        Run settings.
    kappa
        Kappa documents (None where a kappa job failed).

    Returns
    -------
    BenchmarkSummaryDocument
        Rows, median RMS, false-instability count, kappa rows.
    """
    rows = [doc.row() for doc in documents if doc is not None]
    failed = [name for name, doc in zip(names, documents, strict=True) if doc is None]
    rms = [row.rms_thz for row in rows]
    return BenchmarkSummaryDocument(
        run_name=run_name,
        rows=rows,
        failed=failed,
        dropped=[DroppedStructure.model_validate(item) for item in dropped],
        median_rms_thz=statistics.median(rms) if rms else None,
        n_false_instabilities=sum(row.false_instability for row in rows),
        fit=FitSummary(
            potential_xml=fit.potential_xml,
            potential_sha256=fit.potential_sha256,
            f=fit.f,
            f_min_ev_per_ang=fit.f_min_ev_per_ang,
            training_errors=fit.training_errors,
            dataset_summary=fit.dataset_summary,
            wall_time_s=fit.wall_time_s,
            n_sparse_soap=fit.hyperparameters.get("soap", {}).get("n_sparse"),
            sparse_points_used=fit.sparse_points_used or None,
            launch=getattr(fit, "launch", None),
        ),
        settings=settings,
        kappa=[kappa_row(doc) for doc in kappa or [] if doc is not None],
    )


@job(name="summarise_scan", output_schema=ScanSummaryDocument)
def summarise_scan(
    summaries: list[BenchmarkSummaryDocument | None],
    variants: list[ScanVariant],
    run_name: str,
    parameter: str,
    settings: dict | None = None,
) -> ScanSummaryDocument:
    """Collect the benchmark summaries of a scan into one table.

    Parameters
    ----------
    summaries
        One benchmark summary per variant (None where the fit or benchmark failed).
    variants
        The variants, same order.
    run_name
        Name of the scan.
    parameter
        ``"f"`` or ``"n_sparse"``.
    settings
        Settings shared by all variants.

    Returns
    -------
    ScanSummaryDocument
        Per-variant and per-(variant, structure) rows.
    """
    variant_rows, rows, failed = [], [], []
    for variant, summary in zip(variants, summaries, strict=True):
        fields = variant.model_dump()
        if summary is None:
            failed.append(variant.label)
            continue
        fit = summary.fit
        used = fit.soap_sparse_points_used() if fit else None
        variant_rows.append(
            ScanVariantResult(
                **fields,
                median_rms_thz=summary.median_rms_thz,
                n_false_instabilities=summary.n_false_instabilities,
                fit_wall_time_s=fit.wall_time_s if fit else None,
                soap_sparse_points_used=used,
                training_force_rmse_ev_per_ang=(
                    fit.training_errors.force_rmse_ev_per_ang if fit else None
                ),
                failed=summary.failed,
            )
        )
        rows.extend(
            ScanRow(**fields, **row.model_dump(), soap_sparse_points_used=used)
            for row in summary.rows
        )
    return ScanSummaryDocument(
        run_name=run_name,
        parameter=parameter,
        variants=variant_rows,
        rows=rows,
        failed_variants=failed,
        settings=settings or {},
    )
