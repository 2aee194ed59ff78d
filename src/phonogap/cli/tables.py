"""Application layer: the rich tables the ``phonogap`` commands print."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

from phonogap.cli.common import console

if TYPE_CHECKING:
    from phonogap.schemas.campaign import CampaignStructureRow
    from phonogap.schemas.kappa import KappaRow
    from phonogap.schemas.md import MeltQuenchErrorsDocument
    from phonogap.schemas.phonons import BenchmarkRow, BenchmarkSummaryDocument
    from phonogap.schemas.scans import ScanSummaryDocument

FLAG = {None: "", True: "[red]YES[/red]", False: "no"}
"""How a false-instability flag is shown (None: not known)."""


def new_table(title: str, columns: tuple[str, ...]) -> Table:
    """Return a table with a title and columns.

    Parameters
    ----------
    title
        Table title.
    columns
        Column headers.

    Returns
    -------
    rich.table.Table
        Without rows.
    """
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    return table


def print_rows(rows: list[BenchmarkRow], title: str) -> None:
    """Print benchmark rows: RMS (THz), imaginary modes and false instabilities.

    Parameters
    ----------
    rows
        The ``rows`` of a benchmark summary.
    title
        Table title.
    """
    columns = ("name", "mp_id", "RMS (THz)", "imag. ref", "imag. GAP", "false instab.")
    table = new_table(title, columns)
    for row in rows:
        table.add_row(
            row.name,
            row.mp_id or "",
            f"{row.rms_thz:.4f}",
            str(row.imaginary_reference),
            str(row.imaginary_potential),
            FLAG[bool(row.false_instability)],
        )
    console.print(table)


def print_kappa(rows: list[KappaRow]) -> None:
    """Print lattice thermal conductivities, one column per temperature (nothing if none).

    Parameters
    ----------
    rows
        The ``kappa`` rows of a benchmark summary.
    """
    if not rows:
        return
    temperatures = tuple(f"{temperature:g} K" for temperature in rows[0].temperatures_k)
    table = new_table("lattice thermal conductivity, W/(m K)", ("calculation", *temperatures))
    for row in rows:
        table.add_row(row.name, *(f"{value:.1f}" for value in row.kappa_w_per_mk))
    console.print(table)


def print_scan(summary: ScanSummaryDocument) -> None:
    """Print a scan: one row per variant, then the failed variants.

    Parameters
    ----------
    summary
        The scan summary.
    """
    columns = ("variant", "median RMS (THz)", "false instab.", "SOAP M used", "fit (s)", "failed")
    table = new_table(f"{summary.run_name}: scan of {summary.parameter}", columns)
    for row in summary.variants:
        median = row.median_rms_thz
        used = row.soap_sparse_points_used
        table.add_row(
            row.label,
            "n/a" if median is None else f"{median:.4f}",
            str(row.n_false_instabilities),
            "n/a" if used is None else str(used),
            f"{row.fit_wall_time_s or 0:.0f}",
            ", ".join(row.failed),
        )
    console.print(table)
    for label in summary.failed_variants:
        console.print(f"[red]failed variant[/red]: {label}")


def print_summary(summary: BenchmarkSummaryDocument) -> str:
    """Print a benchmark summary's tables and its failed and dropped structures.

    Parameters
    ----------
    summary
        The run's summary.

    Returns
    -------
    str
        The median RMS (THz) as printed, or ``n/a``.
    """
    print_rows(summary.rows, f"{summary.run_name}: GAP vs {summary.settings.get('reference')}")
    print_kappa(summary.kappa)
    for name in summary.failed:
        console.print(f"[red]failed[/red]: {name} (see its job folder)")
    for dropped in summary.dropped:
        console.print(f"dropped: {dropped.name}: {escape(dropped.reason)}")
    return "n/a" if summary.median_rms_thz is None else f"{summary.median_rms_thz:.4f}"


def print_melt_quench(document: MeltQuenchErrorsDocument) -> None:
    """Print the melt–quench energy and force errors per potential and phase.

    Parameters
    ----------
    document
        The melt–quench errors.
    """
    title = (
        f"melt-quench errors vs {document.reference.backend} "
        f"({document.n_atoms} atoms, {document.n_snapshots} snapshots; last five per phase)"
    )
    columns = ("potential", "phase", "E MAE (meV/atom)", "F RMSE (eV/Å)")
    table = new_table(title, columns)
    for row in document.table():
        table.add_row(
            row["potential"],
            row["phase"],
            f"{row['energy_mae_mev_per_atom']:.2f}",
            f"{row['force_rmse_ev_per_ang']:.3f}",
        )
    console.print(table)


def print_campaign(rows: list[CampaignStructureRow], title: str) -> None:
    """Print campaign rows (state, RMS, false instability) as a table.

    Parameters
    ----------
    rows
        One row per structure.
    title
        Table title.
    """
    columns = (
        "campaign/run",
        "structure",
        "formula",
        "mp_id",
        "state",
        "RMS (THz)",
        "false instab.",
    )
    table = new_table(title, columns)
    for row in rows:
        table.add_row(
            row.campaign,
            row.structure,
            row.formula or "",
            row.mp_id or "",
            row.state,
            "" if row.rms_thz is None else f"{row.rms_thz:.4f}",
            FLAG[row.false_instability],
        )
    console.print(table)


def print_quantities(values: dict[str, Any], title: str) -> None:
    """Print a two-column table of named quantities (floats with six decimals).

    Parameters
    ----------
    values
        Quantity name to value.
    title
        Table title.
    """
    table = new_table(title, ("quantity", "value"))
    for key, value in values.items():
        table.add_row(key, f"{value:.6f}" if isinstance(value, float) else str(value))
    console.print(table)
