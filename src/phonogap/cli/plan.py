"""Application layer: ``phonogap plan`` and the memory check ``phonogap run`` makes first.

``phonogap plan WORKFLOW`` prints what a workflow will compute (structures, supercells,
reference calculations, training atoms) and each fit's sparse points, estimated peak memory
and wall time against the memory available, without labelling or fitting
(:mod:`phonogap.config.plan`). :func:`check_fits_fit_memory` is the hook ``phonogap run``
calls after the pre-flight: it refuses a fit whose estimate exceeds the memory, before
anything is labelled, unless ``--force``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from phonogap.cli.common import console, log_console
from phonogap.cli.tables import new_table

if TYPE_CHECKING:
    from collections.abc import Iterator

    from phonogap.config.plan import WorkflowPlan
    from phonogap.config.workflow_file import WorkflowFile

logger = logging.getLogger(__name__)

MEMORY_HELP = (
    "memory the fits will have, in GiB (default: MemAvailable of /proc/meminfo on this "
    "machine; give the node's memory when the fit runs on a cluster)"
)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def print_plan(plan: WorkflowPlan) -> None:
    """Print the plan as tables.

    Parameters
    ----------
    plan
        From :func:`phonogap.config.plan.plan_workflow`.
    """
    if plan.structures:
        table = new_table(
            f"{plan.name}: {len(plan.structures)} structures",
            ("structure", "atoms", "supercell", "supercell atoms", "displacements"),
        )
        for item in plan.structures:
            matrix = item.supercell_matrix
            diagonal = all(matrix[i][j] == 0 for i in range(3) for j in range(3) if i != j)
            shape = "x".join(str(matrix[i][i]) for i in range(3)) if diagonal else str(matrix)
            table.add_row(
                item.name, str(item.n_atoms), shape, str(item.supercell_atoms),
                str(item.n_displacements),
            )  # fmt: skip
        console.print(table)
    console.print(
        f"reference: {plan.n_reference_relaxations} relaxations, "
        f"{plan.n_reference_calculations} single-point calculations; training set: "
        f"{plan.n_training_configurations} configurations, {plan.n_training_atoms:,} atoms"
    )
    table = new_table(
        f"fits (memory available {plan.memory_available_gib:.1f} GiB, "
        f"{plan.memory_available_source})",
        ("fit", "atoms", "targets", "sparse points", "peak memory", "fits", "wall time"),
    )
    for fit in plan.fits:
        sparse = ", ".join(f"{d['name']} {d['n_sparse']}" for d in fit.descriptors)
        table.add_row(
            fit.name, f"{fit.n_training_atoms:,}", f"{fit.n_targets:,}", sparse,
            f"{fit.peak_memory_gib:.1f} GiB", "yes" if fit.fits_in_memory else "[red]NO[/red]",
            f"~{_duration(fit.wall_time_s)} (1 core)",
        )  # fmt: skip
    console.print(table)
    for fit in plan.too_big():
        console.print(
            f"[red]{fit.name} does not fit[/red]: lower n_sparse to at most "
            f"{fit.largest_n_sparse:,}, use a smaller preset, or fewer structures"
        )
    for note in plan.notes:
        log_console.print(f"note: {note}", soft_wrap=True, highlight=False)


def cmd_plan(args: argparse.Namespace) -> int:
    """Print what a workflow will compute and whether its fits fit in memory."""
    from phonogap.config import read_workflow_file
    from phonogap.config.plan import plan_workflow

    workflow = read_workflow_file(Path(args.workflow))
    plan = plan_workflow(workflow, memory_gib=args.memory)
    if args.format == "json":
        print(json.dumps(plan.model_dump(mode="json"), indent=2))
    else:
        print_plan(plan)
    return 1 if plan.too_big() else 0


def check_fits_fit_memory(workflow: WorkflowFile, args: argparse.Namespace) -> None:
    """Refuse a run whose fit cannot fit in memory (the hook of ``phonogap run``).

    Parameters
    ----------
    workflow
        The validated workflow.
    args
        ``run``'s arguments: ``--force`` skips the check, ``--memory`` sets the memory.

    Raises
    ------
    FitMemoryError
        Naming the fit, the memory needed and available and what to lower.
    """
    from phonogap.config.plan import (
        FitMemoryError,
        PlanNotAvailableError,
        plan_workflow,
        refusal_message,
    )

    if getattr(args, "force", False):
        return
    try:
        with (
            _quiet("phonogap.database", "phonogap.md"),  # the run logs these itself, later
            log_console.status("sizing the fits before labelling (gap_fit dryrun=T) ..."),
        ):  # a spinner (terminals only): the first line printed still names the store
            plan = plan_workflow(workflow, memory_gib=getattr(args, "memory", None))
    except PlanNotAvailableError as exc:
        logger.debug("fit memory not checked before the run: %s", exc)
        return
    too_big = plan.too_big()
    if too_big:
        raise FitMemoryError(refusal_message(plan, too_big[0]))
    biggest = max(plan.fits, key=lambda fit: fit.peak_memory_gib)
    logger.debug(  # debug: the first line a run prints names the store
        "largest fit %s: about %.1f GiB of %.1f GiB available",
        biggest.name,
        biggest.peak_memory_gib,
        plan.memory_available_gib,
    )


def add_run_memory_options(run: argparse.ArgumentParser) -> None:
    """Add ``--memory`` and ``--force`` to ``phonogap run``.

    Parameters
    ----------
    run
        The ``run`` subparser.
    """
    run.add_argument("--memory", type=float, metavar="GIB", help=MEMORY_HELP)
    run.add_argument(
        "--force", action="store_true", help="run even if a fit's memory estimate is too large"
    )


def add_plan_command(commands: Any) -> None:
    """Add ``plan`` to the CLI.

    Parameters
    ----------
    commands
        The subparsers action of the ``phonogap`` parser.
    """
    plan = commands.add_parser(
        "plan",
        help="print what a workflow will compute and each fit's memory and time, running nothing",
    )
    plan.add_argument("workflow", help="workflow YAML file")
    plan.add_argument("--format", choices=("table", "json"), default="table")
    plan.add_argument("--memory", type=float, metavar="GIB", help=MEMORY_HELP)
    plan.set_defaults(handler=cmd_plan)


@contextlib.contextmanager
def _quiet(*names: str) -> Iterator[None]:
    """Keep INFO messages of the named loggers off the terminal for the duration."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [each.level for each in loggers]
    for each in loggers:
        each.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for each, level in zip(loggers, levels, strict=True):
            each.setLevel(level)
