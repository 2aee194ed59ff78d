"""Application layer: the ``phonogap`` parser and entry point, and the store-reading commands.

Commands: ``demo`` and ``run`` (:mod:`~phonogap.cli.run`), ``results``, ``submit`` and ``db``
(:mod:`~phonogap.cli.cluster`), ``plot`` and ``compare-phonons``. Each command module
registers its commands on the parser; this module only calls them.

Errors (see :mod:`phonogap.errors`): a :class:`~phonogap.errors.PhonogapError`, a missing
file or Ctrl-C ends the command with one line ``error: <message>`` on standard error and
exit status 2 (1 for a failed flow, 130 for Ctrl-C); every other exception is a bug and
propagates with its traceback. ``-v`` prints the traceback in every case.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import signal
import sys
import threading
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path

from rich.markup import escape

from phonogap.cli.cluster import (
    add_campaign_results_options,
    add_cluster_commands,
    campaign_results,
    wants_campaign_results,
)
from phonogap.cli.common import STORE_HELP, console, log_console, setup_logging
from phonogap.cli.plan import add_plan_command
from phonogap.cli.run import add_run_commands
from phonogap.cli.tables import print_kappa, print_quantities, print_rows
from phonogap.errors import PhonogapError

INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT), as shells report it."""

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
"""Signals that end a command cleanly, like Ctrl-C (exit status 128 + the signal)."""


class Terminated(BaseException):
    """A stop signal arrived; raised in the main thread to unwind the running job.

    A ``BaseException``, like ``KeyboardInterrupt``, so jobflow does not record it as a job
    failure and carry on with the next job; on the way out the gap_fit or pw.x process group
    is killed (:mod:`phonogap.processes`).

    Attributes
    ----------
    signum
        The signal number.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _terminate(signum: int, frame: object) -> None:
    """Stop the pool workers, then unwind the main thread (their programs die with them)."""
    for child in multiprocessing.active_children():
        child.terminate()
    raise Terminated(signum)


@contextlib.contextmanager
def _stop_signals_raise() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into :class:`Terminated` while a command runs (main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _terminate) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def cmd_results(args: argparse.Namespace) -> int:
    """Print the benchmarks (or campaign rows) found in the store."""
    from phonogap.config.preflight import check_store, raise_problems
    from phonogap.report.exports import results_payload
    from phonogap.store.interruptions import find_interruptions
    from phonogap.store.jobstore import get_store
    from phonogap.store.queries import find_summaries

    raise_problems(check_store(args.store))
    store = get_store(args.store)
    store.connect()
    if wants_campaign_results(args):
        return campaign_results(args, store)
    found = find_summaries(store, args.name)
    if args.latest:
        found = found[:1]
    if args.export:
        from phonogap.report.exports import export_benchmarks

        written = export_benchmarks(store, found, Path(args.export))
        log_console.print(f"wrote {len(written)} files under {args.export}")
    if args.format == "json":
        payload = [{"uuid": f["uuid"], **results_payload(f["summary"])} for f in found]
        print(json.dumps(payload, indent=2, default=str))
        return 0
    if not found:
        console.print("no benchmark results in the store")
    for item in found:
        summary = item["summary"]
        print_rows(summary.rows, f"{summary.run_name} ({item['completed_at']}, {item['uuid']})")
        print_kappa(summary.kappa)
    for stopped in find_interruptions(store, args.name):  # stopped runs not run again since
        line = f"{stopped.line()}; run it again to resume"
        console.print(escape(line), highlight=False, soft_wrap=True)
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    """Draw the figures of a run or scan found in the store."""
    from phonogap.config.preflight import check_store, raise_problems
    from phonogap.report.outputs import write_outputs
    from phonogap.store.jobstore import get_store
    from phonogap.store.queries import ResultNotFoundError, find_scans, find_summaries

    raise_problems(check_store(args.store))
    store = get_store(args.store)
    store.connect()
    finder = find_scans if args.kind == "scan" else find_summaries
    found = finder(store, args.name)
    if not found:
        what = "scan" if args.kind == "scan" else "benchmark run"
        name = f" named {args.name!r}" if args.name else ""
        raise ResultNotFoundError(
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
    else:
        print_quantities(comparison.as_dict(), f"{args.other} vs {args.reference}")
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
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="debug logging; tracebacks of all errors"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    add_run_commands(commands)
    add_plan_command(commands)

    results = commands.add_parser("results", help="print benchmarks found in the store")
    results.add_argument("--format", choices=("table", "json"), default="table")
    results.add_argument("--name", help="only runs of this name")
    results.add_argument("--latest", action="store_true", help="only the newest run")
    results.add_argument("--store", help=STORE_HELP)
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
    plot.add_argument("--store", help=STORE_HELP)
    plot.set_defaults(handler=cmd_plot)

    compare = commands.add_parser(
        "compare-phonons", help="RMS (THz) and imaginary flags between two phonopy datasets"
    )
    compare.add_argument("reference", help="reference phonopy.yaml (with forces)")
    compare.add_argument("other", help="phonopy.yaml to compare (same structure)")
    compare.add_argument("--json", action="store_true", help="print JSON")
    compare.set_defaults(handler=cmd_compare_phonons)
    return parser


def _fail(exc: BaseException, message: str, status: int, verbose: bool) -> int:
    """Print the traceback (if verbose) and one ``error:`` line; return the exit status."""
    if verbose:
        traceback.print_exception(exc, file=sys.stderr)
    log_console.print("[red]error:[/red]", escape(message), highlight=False, soft_wrap=True)
    return status


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``phonogap`` command.

    Parameters
    ----------
    argv
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 on success; 1 if a flow, structure or scan variant failed; 2 for a
        user error (:class:`~phonogap.errors.PhonogapError`, a missing file); 130 after
        Ctrl-C, 143 after SIGTERM, 129 after SIGHUP (every child process is stopped). Any
        other exception propagates.
    """
    args = build_parser().parse_args(argv)
    setup_logging(args.verbose)
    warnings.filterwarnings("ignore", category=FutureWarning, module="jobflow")
    warnings.filterwarnings("ignore", message=".*PrimitiveMatrixAuto.*")
    try:
        with _stop_signals_raise():
            return args.handler(args)
    except Terminated as exc:
        message = (
            f"terminated by {exc}; its gap_fit, pw.x and worker processes were stopped. Run the "
            "same command again to resume: a finished fit is reused"
        )
        return _fail(exc, message, 128 + exc.signum, args.verbose)
    except KeyboardInterrupt as exc:
        return _fail(exc, "interrupted", INTERRUPTED, args.verbose)
    except FileNotFoundError as exc:
        return _fail(exc, str(exc), 2, args.verbose)
    except PhonogapError as exc:
        return _fail(exc, str(exc), exc.exit_code, args.verbose)
