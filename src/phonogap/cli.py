"""The ``phonogap`` command line: demo, run, submit, results, plot, db, compare-phonons."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.table import Table

from phonogap.schemas.scans import ScanSummaryDocument

console = Console()
"""Results (tables) go to standard output."""
log_console = Console(stderr=True)
"""Logs, progress and errors go to standard error, so ``--format json`` output stays clean."""


def demo_workflow() -> dict[str, Any]:
    """Describe the demo: diamond Si against Stillinger–Weber with the small preset.

    ``workflows/demo.yaml`` holds the same settings (a test keeps them equal).

    Returns
    -------
    dict
        Raw workflow-file content.
    """
    return {
        "name": "demo_diamond_si",
        "structures": {"allotropes": ["mp-149"]},
        "reference": {"backend": "sw"},
        "database": {"strategy": "both", "n_randomised": 4, "randomised_min_length_ang": 10.0},
        "fit": {"preset": "small", "f": 0.001},
    }


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(message)s",
        handlers=[RichHandler(console=log_console, show_path=False, markup=False)],
        force=True,
    )


def _print_rows(rows: list[dict[str, Any]], title: str) -> None:
    table = Table(title=title)
    for column in ("name", "mp_id", "RMS (THz)", "imag. ref", "imag. GAP", "false instab."):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["name"],
            row.get("mp_id") or "",
            f"{row['rms_thz']:.4f}",
            str(row["imaginary_reference"]),
            str(row["imaginary_potential"]),
            "[red]YES[/red]" if row["false_instability"] else "no",
        )
    console.print(table)


def _print_kappa(rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    temperatures = rows[0]["temperatures_k"]
    table = Table(title="lattice thermal conductivity, W/(m K)")
    table.add_column("calculation")
    for temperature in temperatures:
        table.add_column(f"{temperature:g} K")
    for row in rows:
        table.add_row(row["name"], *(f"{value:.1f}" for value in row["kappa_w_per_mk"]))
    console.print(table)


def _print_scan(summary: ScanSummaryDocument) -> None:
    table = Table(title=f"{summary.run_name}: scan of {summary.parameter}")
    columns = ("variant", "median RMS (THz)", "false instab.", "SOAP M used", "fit (s)", "failed")
    for column in columns:
        table.add_column(column)
    for row in summary.variants:
        median = row["median_rms_thz"]
        used = row.get("soap_sparse_points_used")
        table.add_row(
            row["label"],
            "n/a" if median is None else f"{median:.4f}",
            str(row["n_false_instabilities"]),
            "n/a" if used is None else str(used),
            f"{row['fit_wall_time_s'] or 0:.0f}",
            ", ".join(row["failed"]),
        )
    console.print(table)
    for label in summary.failed_variants:
        console.print(f"[red]failed variant[/red]: {label}")


def _run_workflow(workflow: Any, base_dir: Path, out_dir: Path, store_config: str | None) -> int:
    from phonogap.runner import run_flow, write_outputs
    from phonogap.store import describe_store, get_store
    from phonogap.config import flow_from_workflow

    flow, n_structures = flow_from_workflow(workflow, base_dir)
    store = get_store(store_config)
    log_console.print(f"store: {describe_store(store)}; job folders: {out_dir / 'jobs'}")
    if workflow.workflow == "extend_database":
        return _run_extension(workflow, flow, store, out_dir, n_structures)
    start = time.perf_counter()
    with log_console.status(f"running {workflow.name} ({n_structures} structures)"):
        found = run_flow(flow, store, out_dir)
    written = write_outputs(store, found, out_dir)
    summary = found["summary"]
    if isinstance(summary, ScanSummaryDocument):
        _print_scan(summary)
        for path in written:
            console.print(f"wrote {path}")
        console.print(f"wall time {time.perf_counter() - start:.0f} s")
        return 1 if summary.failed_variants else 0
    median = _print_summary(summary)
    console.print(f"median RMS {median} THz; wall time {time.perf_counter() - start:.0f} s")
    for path in written:
        console.print(f"wrote {path}")
    return 1 if summary.failed else 0


def _print_summary(summary: Any) -> str:
    """Print a benchmark summary's tables, failed and dropped structures; return the median."""
    _print_rows(summary.rows, f"{summary.run_name}: GAP vs {summary.settings.get('reference')}")
    _print_kappa(summary.kappa)
    for name in summary.failed:
        console.print(f"[red]failed[/red]: {name} (see its job folder)")
    for dropped in summary.dropped:
        console.print(f"dropped: {dropped['name']}: {escape(dropped['reason'])}")
    return "n/a" if summary.median_rms_thz is None else f"{summary.median_rms_thz:.4f}"


def _print_melt_quench(document: Any) -> None:
    table = Table(
        title=f"melt-quench errors vs {document.reference.get('backend', 'reference')} "
        f"({document.n_atoms} atoms, {document.n_snapshots} snapshots; last five per phase)"
    )
    for column in ("potential", "phase", "E MAE (meV/atom)", "F RMSE (eV/Å)"):
        table.add_column(column)
    for row in document.table():
        table.add_row(
            row["potential"],
            row["phase"],
            f"{row['energy_mae_mev_per_atom']:.2f}",
            f"{row['force_rmse_ev_per_ang']:.3f}",
        )
    console.print(table)


def _run_extension(workflow: Any, flow: Any, store: Any, out_dir: Path, n_structures: int) -> int:
    """Run an extend_database flow; print and write every summary and the melt-quench errors."""
    from phonogap.runner import run_extension_flow, write_extension_outputs
    from phonogap.config.workflow_file import summary_run_names

    run_names = summary_run_names(workflow)
    start = time.perf_counter()
    with log_console.status(f"running {workflow.name} ({n_structures} structures)"):
        summaries, melt_quench = run_extension_flow(flow, store, out_dir, run_names)
    written = write_extension_outputs(store, summaries, melt_quench, out_dir)
    failed = False
    medians = []
    for label, run_name in run_names.items():
        if label not in summaries:
            console.print(f"[red]failed[/red]: no {run_name!r} benchmark (see the log above)")
            failed = True
            continue
        summary = summaries[label]["summary"]
        medians.append(f"{label} {_print_summary(summary)}")
        failed = failed or bool(summary.failed)
    if melt_quench is not None:
        _print_melt_quench(melt_quench)
    elif workflow.maker.extension.melt_quench is not None:
        console.print("[red]failed[/red]: the melt-quench benchmark (see the log above)")
        failed = True
    console.print(
        f"median RMS (THz): {', '.join(medians)}; wall time {time.perf_counter() - start:.0f} s"
    )
    for path in written:
        console.print(f"wrote {path}")
    return 1 if failed else 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the diamond-Si demo."""
    from phonogap.config import parse_workflow

    workflow = parse_workflow(demo_workflow(), Path.cwd(), "phonogap demo")
    return _run_workflow(workflow, Path.cwd(), Path(args.out), args.store)


def cmd_run(args: argparse.Namespace) -> int:
    """Run a workflow file."""
    from phonogap.config import read_workflow_file

    path = Path(args.workflow)
    workflow = read_workflow_file(path)
    if workflow.campaign is not None:
        from phonogap.cli_cluster import run_campaign

        return run_campaign(workflow, path.parent, Path(args.out), args.store)
    return _run_workflow(workflow, path.parent, Path(args.out), args.store)


def cmd_results(args: argparse.Namespace) -> int:
    """Print the benchmarks found in the store."""
    from phonogap.results import find_summaries, results_payload
    from phonogap.store import get_store

    store = get_store(args.store)
    store.connect()
    if args.campaign or args.formula or args.mp_id or args.export or args.launchpad:
        from phonogap.cli_cluster import campaign_results

        return campaign_results(args, store)
    found = find_summaries(store, args.name)
    if args.latest:
        found = found[:1]
    if args.format == "json":
        payload = [{"uuid": f["uuid"], **results_payload(f["summary"])} for f in found]
        print(json.dumps(payload, indent=2, default=str))
        return 0
    if not found:
        console.print("no benchmark results in the store")
    for item in found:
        summary = item["summary"]
        _print_rows(summary.rows, f"{summary.run_name} ({item['completed_at']}, {item['uuid']})")
        _print_kappa(summary.kappa)
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    """Draw the figures of a run or scan found in the store."""
    from phonogap.results import find_scans, find_summaries
    from phonogap.runner import write_outputs
    from phonogap.store import get_store

    store = get_store(args.store)
    store.connect()
    finder = find_scans if args.kind == "scan" else find_summaries
    found = finder(store, args.name)
    if not found:
        what = "scan" if args.kind == "scan" else "benchmark run"
        name = f" named {args.name!r}" if args.name else ""
        raise ValueError(
            f"no {what}{name} in the store; run one first (phonogap run WORKFLOW.yaml) or "
            "check --name and --store (phonogap results lists the runs)"
        )
    for path in write_outputs(store, found[0], Path(args.out)):
        console.print(f"wrote {path}")
    return 0


def cmd_compare_phonons(args: argparse.Namespace) -> int:
    """Compare two phonopy datasets."""
    from phonogap.phonons.comparison import compare_phonopy_files

    comparison = compare_phonopy_files(args.reference, args.other)
    if args.json:
        print(json.dumps(comparison.as_dict(), indent=2))
        return 0
    table = Table(title=f"{args.other} vs {args.reference}")
    table.add_column("quantity")
    table.add_column("value")
    for key, value in comparison.as_dict().items():
        table.add_row(key, f"{value:.6f}" if isinstance(value, float) else str(value))
    console.print(table)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser.

    Returns
    -------
    argparse.ArgumentParser
        The ``phonogap`` parser with its subcommands.
    """
    parser = argparse.ArgumentParser(
        prog="phonogap", description="Phonon-accurate GAP potentials as jobflow workflows."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(dest="command", required=True)
    store_help = "jobflow-style store file (default: embedded store in ~/.phonogap/store)"
    from phonogap.cli_cluster import add_campaign_results_options, add_cluster_commands

    demo = commands.add_parser("demo", help="fit a GAP for diamond Si against Stillinger-Weber")
    demo.add_argument("--out", default="phonogap_demo", help="output directory")
    demo.add_argument("--store", help=store_help)
    demo.set_defaults(handler=cmd_demo)

    run = commands.add_parser("run", help="run a workflow file locally")
    run.add_argument("workflow", help="workflow YAML file, e.g. workflows/demo.yaml")
    run.add_argument("--out", default="phonogap_run", help="output directory")
    run.add_argument("--store", help=store_help)
    run.set_defaults(handler=cmd_run)

    results = commands.add_parser("results", help="print benchmarks found in the store")
    results.add_argument("--format", choices=("table", "json"), default="table")
    results.add_argument("--name", help="only runs of this name")
    results.add_argument("--latest", action="store_true", help="only the newest run")
    results.add_argument("--store", help=store_help)
    add_campaign_results_options(results)
    results.set_defaults(handler=cmd_results)

    add_cluster_commands(commands)

    plot = commands.add_parser(
        "plot", help="draw the figures of the newest run or scan in the store"
    )
    plot.add_argument(
        "kind",
        choices=("run", "scan"),
        help="run: RMS bars, band overlays, kappa(T); scan: RMS vs f or M per structure",
    )
    plot.add_argument("--name", help="run or scan name (default: the newest)")
    plot.add_argument("--out", default="phonogap_plots", help="output directory")
    plot.add_argument("--store", help=store_help)
    plot.set_defaults(handler=cmd_plot)

    compare = commands.add_parser(
        "compare-phonons", help="RMS (THz) and imaginary flags between two phonopy datasets"
    )
    compare.add_argument("reference", help="reference phonopy.yaml (with forces)")
    compare.add_argument("other", help="phonopy.yaml to compare (same structure)")
    compare.add_argument("--json", action="store_true", help="print JSON")
    compare.set_defaults(handler=cmd_compare_phonons)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``phonogap`` command.

    Parameters
    ----------
    argv
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status.
    """
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose)
    warnings.filterwarnings("ignore", category=FutureWarning, module="jobflow")
    warnings.filterwarnings("ignore", message=".*PrimitiveMatrixAuto.*")
    try:
        return args.handler(args)
    except (FileNotFoundError, ValueError, KeyError, RuntimeError) as exc:
        log_console.print("[red]error:[/red]", escape(str(exc)), highlight=False, soft_wrap=True)
        return 2


if __name__ == "__main__":
    sys.exit(main())
