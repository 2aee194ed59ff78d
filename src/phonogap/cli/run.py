"""Application layer: ``phonogap demo`` and ``phonogap run``, workflows run on this machine.

A workflow file becomes a Flow, jobflow runs it into the store with one folder per job
under ``OUT/jobs``, and the run's files are written and its tables printed. Heavy modules
(jobflow, the science packages) are imported when a command runs, so ``phonogap --help``
stays fast.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from phonogap.cli.common import STORE_HELP, console, log_console
from phonogap.cli.plan import add_run_memory_options, check_fits_fit_memory
from phonogap.cli.progress import add_progress_option, configure_progress, showing_progress
from phonogap.cli.tables import print_campaign, print_melt_quench, print_scan, print_summary
from phonogap.errors import PhonogapError

if TYPE_CHECKING:
    from jobflow import Flow, JobStore

    from phonogap.config import WorkflowFile
    from phonogap.schemas.md import MeltQuenchErrorsDocument


class FlowFailedError(PhonogapError, RuntimeError):
    """Raised when a flow finished without a benchmark summary.

    The command exits with status 1, as for a run in which some structures failed.
    """

    exit_code = 1


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


def run_locally_into(flow: Flow, store: JobStore, out_dir: Path) -> dict[str, Any]:
    """Run a flow with jobflow, one folder per job under ``out_dir/jobs``.

    Finished fits are kept in ``out_dir/jobs/.fits`` (``$PHONOGAP_FIT_CACHE_DIR`` if set)
    by the checksum of their inputs, so running the same workflow again reuses them. The log
    goes to ``out_dir/phonogap.log``; each failed job is printed as one line (job, structure,
    message, folder), its traceback only in that file (and on the terminal with ``-v``). A job
    running when the run is stopped is recorded in the store as failed
    (:mod:`phonogap.cli.interrupts`).

    Parameters
    ----------
    flow
        Any Flow.
    store
        Where outputs go; connected again afterwards, ready for queries.
    out_dir
        Output directory.

    Returns
    -------
    dict
        jobflow's responses, keyed by job uuid.
    """
    from jobflow import run_locally

    from phonogap.cli.failures import recording_failures
    from phonogap.cli.interrupts import recording_interruptions
    from phonogap.fitting.fit_cache import FIT_CACHE_VARIABLE

    jobs_dir = (out_dir / "jobs").resolve()
    jobs_dir.mkdir(parents=True, exist_ok=True)
    previous = os.environ.get(FIT_CACHE_VARIABLE)
    # finished fits are kept by input checksum under OUT/jobs/.fits: a rerun reuses them
    os.environ[FIT_CACHE_VARIABLE] = previous or str(jobs_dir / ".fits")
    try:
        with recording_failures(out_dir), recording_interruptions(store, flow.name):
            responses = run_locally(
                flow, store=store, create_folders=True, root_dir=jobs_dir, log=False
            )
    finally:
        if previous is None:
            os.environ.pop(FIT_CACHE_VARIABLE, None)
    store.connect()
    return responses


def _no_summary_message(flow: Flow, out_dir: Path) -> str:
    return (
        f"flow {flow.name} produced no benchmark summary: the failed jobs are listed above "
        f"(tracebacks in {(out_dir / 'phonogap.log').resolve()}). Its finished outputs are kept "
        "in the store; fix the cause and run the same command again to resume."
    )


def run_flow(flow: Flow, store: JobStore, out_dir: Path) -> dict[str, Any]:
    """Run a flow with jobflow in ``out_dir/jobs`` and return its summary.

    Parameters
    ----------
    flow
        A PhononAccurateGapMaker flow.
    store
        Where outputs go.
    out_dir
        Job directories are created under ``out_dir/jobs``.

    Returns
    -------
    dict
        ``{"uuid", "completed_at", "summary"}`` of the run's summary job (a scan summary
        for scan flows).

    Raises
    ------
    FlowFailedError
        If no summary was produced (a step before the benchmarks failed).
    """
    from phonogap.store.queries import find_scans, find_summaries

    responses = run_locally_into(flow, store, out_dir)
    for found in [*find_scans(store, flow.name), *find_summaries(store, flow.name)]:
        if found["uuid"] in responses:
            return found
    raise FlowFailedError(_no_summary_message(flow, out_dir))


def run_extension_flow(
    flow: Flow, store: JobStore, out_dir: Path, run_names: dict[str, str]
) -> tuple[dict[str, dict[str, Any]], MeltQuenchErrorsDocument | None]:
    """Run an ``extend_database`` flow and collect its summaries and melt–quench errors.

    Parameters
    ----------
    flow
        The flow of :func:`phonogap.config.flow_from_workflow` for an ``extend_database`` workflow.
    store
        Where outputs go.
    out_dir
        Job directories are created under ``out_dir/jobs``.
    run_names
        Label (``extended``, ``base``) to the ``run_name`` of its benchmark summary.

    Returns
    -------
    tuple
        Label to ``{"uuid", "completed_at", "summary"}`` for the summaries this run produced
        (labels whose summary is missing are left out), and the melt–quench errors document
        of this run, or None.

    Raises
    ------
    FlowFailedError
        If no summary was produced at all (a step before the benchmarks failed).
    """
    from phonogap.store.queries import find_melt_quench_errors, find_summaries

    responses = run_locally_into(flow, store, out_dir)
    summaries = {}
    for label, run_name in run_names.items():
        mine = [found for found in find_summaries(store, run_name) if found["uuid"] in responses]
        if mine:
            summaries[label] = mine[0]
    if not summaries:
        raise FlowFailedError(_no_summary_message(flow, out_dir))
    return summaries, find_melt_quench_errors(store, responses)


def _print_written(written: list[Path]) -> None:
    for path in written:
        console.print(f"wrote {path}")


def run_workflow(
    workflow: WorkflowFile, base_dir: Path, out_dir: Path, store_config: str | None
) -> int:
    """Run a validated workflow into the store, write its files and print its tables.

    Parameters
    ----------
    workflow
        The workflow (not a campaign: see :func:`run_campaign`).
    base_dir
        Directory relative paths are resolved against (the workflow file's).
    out_dir
        Output directory (job folders under ``out_dir/jobs``).
    store_config
        ``--store`` (None: the default store).

    Returns
    -------
    int
        Exit status: 0, or 1 if a structure or scan variant failed.
    """
    from phonogap.config import flow_from_workflow
    from phonogap.report.outputs import write_outputs
    from phonogap.schemas.scans import ScanSummaryDocument
    from phonogap.store.jobstore import select_store

    store, where = select_store(store_config)
    log_console.print(
        f"store: {where}; job folders: {out_dir / 'jobs'}", soft_wrap=True, highlight=False
    )
    flow, n_structures = flow_from_workflow(workflow, base_dir)
    if workflow.workflow == "extend_database":
        return run_extension(workflow, flow, store, out_dir, n_structures)
    start = time.perf_counter()
    with showing_progress(flow, f"running {workflow.name} ({n_structures} structures)"):
        found = run_flow(flow, store, out_dir)
    written = write_outputs(store, found, out_dir)
    summary = found["summary"]
    if isinstance(summary, ScanSummaryDocument):
        print_scan(summary)
        _print_written(written)
        console.print(f"wall time {time.perf_counter() - start:.0f} s")
        return 1 if summary.failed_variants else 0
    median = print_summary(summary)
    console.print(f"median RMS {median} THz; wall time {time.perf_counter() - start:.0f} s")
    _print_written(written)
    return 1 if summary.failed else 0


def run_extension(
    workflow: WorkflowFile, flow: Flow, store: JobStore, out_dir: Path, n_structures: int
) -> int:
    """Run an ``extend_database`` flow; print and write every summary and the melt-quench errors.

    Parameters
    ----------
    workflow
        The workflow.
    flow
        Its Flow.
    store
        Where outputs go.
    out_dir
        Output directory.
    n_structures
        Structures benchmarked (for the progress line).

    Returns
    -------
    int
        Exit status: 0, or 1 if a benchmark, a structure or the melt-quench benchmark failed.
    """
    from phonogap.config.workflow_file import summary_run_names
    from phonogap.report.outputs import write_extension_outputs

    run_names = summary_run_names(workflow)
    start = time.perf_counter()
    with showing_progress(flow, f"running {workflow.name} ({n_structures} structures)"):
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
        medians.append(f"{label} {print_summary(summary)}")
        failed = failed or bool(summary.failed)
    if melt_quench is not None:
        print_melt_quench(melt_quench)
    elif workflow.maker.extension.melt_quench is not None:
        console.print("[red]failed[/red]: the melt-quench benchmark (see the log above)")
        failed = True
    console.print(
        f"median RMS (THz): {', '.join(medians)}; wall time {time.perf_counter() - start:.0f} s"
    )
    _print_written(written)
    return 1 if failed else 0


def run_campaign(
    workflow: WorkflowFile, base_dir: Path, out_dir: Path, store_config: str | None
) -> int:
    """Run a campaign workflow locally; write campaign.csv/json.

    Parameters
    ----------
    workflow
        A workflow with a ``campaign`` section.
    base_dir
        Directory relative paths are resolved against (the workflow file's).
    out_dir
        Output directory (job folders under ``out_dir/jobs``).
    store_config
        ``--store`` (None: the default store).

    Returns
    -------
    int
        Exit status: 0, or 1 if a structure failed.
    """
    from phonogap.config import load_structures_from
    from phonogap.report.campaign_rows import campaign_rows
    from phonogap.report.exports import write_rows
    from phonogap.store.campaigns import build_campaign
    from phonogap.store.jobstore import select_store

    store, where = select_store(store_config)
    log_console.print(f"store: {where}", soft_wrap=True, highlight=False)
    structures, mp_ids = load_structures_from(workflow.structures, base_dir)
    campaign = build_campaign(workflow, structures, mp_ids, store=store)
    log_console.print(
        f"campaign {campaign.name}: {len(campaign.structures)} to run, "
        f"{len(campaign.skipped)} finished earlier"
    )
    if type(store.docs_store).__name__ == "MontyStore" and len(campaign.structures) > 3:
        log_console.print(
            "[yellow]note:[/yellow] the embedded store slows down as it fills "
            "(benchmarks/store_speed.py); for campaigns run `phonogap db start` and pass "
            "--store server"
        )
    with showing_progress(campaign.flow, f"running campaign {campaign.name}"):
        run_locally_into(campaign.flow, store, out_dir)
    rows = campaign_rows(store, campaign.name)
    print_campaign(rows, f"campaign {campaign.name}")
    _print_written([write_rows(rows, out_dir / f"campaign.{suffix}") for suffix in ("csv", "json")])
    return 1 if any(row.state == "failed" for row in rows) else 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the diamond-Si demo."""
    from phonogap.config import parse_workflow
    from phonogap.config.preflight import preflight, raise_problems

    configure_progress(args)
    workflow = parse_workflow(demo_workflow(), Path.cwd(), "phonogap demo")
    raise_problems(preflight(workflow, args.out, args.store, source="phonogap demo"))
    return run_workflow(workflow, Path.cwd(), Path(args.out), args.store)


def cmd_run(args: argparse.Namespace) -> int:
    """Run a workflow file (or campaign) locally."""
    from phonogap.config import read_workflow_file
    from phonogap.config.preflight import preflight, raise_problems

    configure_progress(args)
    path = Path(args.workflow)
    workflow = read_workflow_file(path)
    raise_problems(preflight(workflow, args.out, args.store, source=str(path)))
    check_fits_fit_memory(workflow, args)  # before anything is labelled; --force skips it
    runner = run_campaign if workflow.campaign is not None else run_workflow
    return runner(workflow, path.parent, Path(args.out), args.store)


def add_run_commands(commands: Any) -> None:
    """Add ``demo`` and ``run`` to the CLI.

    Parameters
    ----------
    commands
        The subparsers action of the ``phonogap`` parser.
    """
    demo = commands.add_parser("demo", help="fit a GAP for diamond Si against Stillinger-Weber")
    demo.add_argument("--out", default="phonogap_demo", help="output directory")
    demo.add_argument("--store", help=STORE_HELP)
    add_progress_option(demo)
    demo.set_defaults(handler=cmd_demo)

    run = commands.add_parser("run", help="run a workflow file locally")
    run.add_argument("workflow", help="workflow YAML file, e.g. workflows/demo.yaml")
    run.add_argument("--out", default="phonogap_run", help="output directory")
    run.add_argument("--store", help=STORE_HELP)
    add_progress_option(run)
    add_run_memory_options(run)
    run.set_defaults(handler=cmd_run)
