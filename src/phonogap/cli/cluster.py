"""Application layer: the cluster commands, ``submit``, ``db`` and campaign ``results``.

They register themselves on the main parser through :func:`add_cluster_commands` and
:func:`add_campaign_results_options`, which :mod:`phonogap.cli.app` calls.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from phonogap.cli.common import console, log_console
from phonogap.cli.tables import print_campaign

if TYPE_CHECKING:
    from jobflow import JobStore

    from phonogap.store.server import ServerInfo


def cmd_submit(args: argparse.Namespace) -> int:
    """Add a workflow file's Flow (or campaign) to a FireWorks launchpad."""
    from phonogap.config import flow_from_workflow, load_structures_from, read_workflow_file
    from phonogap.config.preflight import preflight, raise_problems
    from phonogap.flows.resources import apply_resources
    from phonogap.store.campaigns import build_campaign
    from phonogap.store.jobstore import get_store
    from phonogap.store.launchpad import load_launchpad, submit_flow
    from phonogap.structures.metadata import structure_metadata

    path = Path(args.workflow)
    workflow = read_workflow_file(path)
    # programs are looked up where the jobs run (the workers), not on this machine
    problems = preflight(
        workflow,
        None,
        args.store,
        source=str(path),
        check_the_store=bool(args.store),
        programs=False,
    )
    raise_problems(problems)
    launchpad = load_launchpad(args.launchpad)
    store = get_store(args.store) if args.store else None
    structures, mp_ids = {}, {}
    if workflow.structures is not None:
        structures, mp_ids = load_structures_from(workflow.structures, path.parent)
    if workflow.campaign is not None:
        if store is None:
            log_console.print(
                "no --store given: every structure is submitted (with --store, structures "
                "finished in that store are skipped)"
            )
        campaign = build_campaign(workflow, structures, mp_ids, store=store)
        flow, metadata = campaign.flow, {"campaign": campaign.name}
        apply_resources(flow, workflow.resources)
        skipped = (
            f", {len(campaign.skipped)} structures finished earlier" if campaign.skipped else ""
        )
    else:
        flow, _ = flow_from_workflow(workflow, path.parent)
        metadata, skipped = {"campaign": workflow.name}, ""
        if structures:
            metadata = structure_metadata(workflow.name, structures, mp_ids)
    ids = submit_flow(flow, launchpad, metadata, store=store)
    console.print(
        f"added {flow.name} to the launchpad: {len(ids)} fireworks (ids {min(ids.values())}-"
        f"{max(ids.values())}){skipped}; run them with `rlaunch rapidfire` or `qlaunch rapidfire`"
    )
    return 0


def _print_running(info: ServerInfo, directory: Path) -> None:
    console.print(f"server running at {info.uri} (pid {info.pid}), data in {directory}")


def cmd_db(args: argparse.Namespace) -> int:
    """Start, stop or report the local SecantusDB server."""
    from phonogap.store.server import server_dir, server_status, start_server, stop_server

    directory = server_dir(args.dir)
    if args.action == "start":
        _print_running(start_server(directory, port=args.port), directory)
        console.print(f"store: --store server (or --store {directory / 'jobflow.yaml'})")
        console.print(f"launchpad: -l {directory / 'my_launchpad.yaml'}")
        return 0
    if args.action == "stop":
        stopped = stop_server(directory)
        console.print("server stopped" if stopped else f"no server running in {directory}")
        return 0
    info = server_status(directory)
    if info is None:
        console.print(f"no server running in {directory}")
        return 1
    _print_running(info, directory)
    return 0


def campaign_results(args: argparse.Namespace, store: JobStore) -> int:
    """Print or export campaign rows filtered by campaign, formula or mp_id.

    Runs that are not campaigns are rows too (one per structure, the run's name as the
    campaign), so ``--formula`` and ``--mp-id`` find every run; ``--name`` keeps one run or
    campaign. With ``--launchpad`` every structure submitted there is listed.

    Parameters
    ----------
    args
        The ``results`` arguments (see :func:`add_campaign_results_options`).
    store
        A connected JobStore.

    Returns
    -------
    int
        Exit status (0).
    """
    from phonogap.report.campaign_rows import campaign_rows
    from phonogap.report.exports import write_rows
    from phonogap.store.launchpad import load_launchpad

    launchpad = load_launchpad(args.launchpad) if args.launchpad else None
    rows = campaign_rows(store, args.campaign, args.formula, args.mp_id, launchpad=launchpad)
    if args.name:
        rows = [row for row in rows if row.campaign == args.name]
    if args.export:
        console.print(f"wrote {write_rows(rows, Path(args.export))} ({len(rows)} structures)")
    elif args.format == "json":
        print(json.dumps([row.model_dump() for row in rows], indent=2))
    elif rows:
        print_campaign(rows, f"campaign {args.campaign or args.name or '(all)'}")
    elif launchpad is None:
        console.print(
            "no campaign or run structures match in the store; for a campaign submitted to "
            "FireWorks whose jobs have not run yet, add --launchpad my_launchpad.yaml"
        )
    else:
        console.print("no campaign or run structures match in the store or on the launchpad")
    return 0


def wants_campaign_results(args: argparse.Namespace) -> bool:
    """Tell whether ``phonogap results`` was asked for campaign rows.

    Parameters
    ----------
    args
        The ``results`` arguments.

    Returns
    -------
    bool
        True if a campaign filter, a launchpad or an export to a file (a name with a suffix
        such as ``.csv``, not an existing directory) was given. ``--export DIR`` alone
        exports the benchmarks' phonopy and pymatgen files instead.
    """
    return bool(
        args.campaign or args.formula or args.mp_id or args.launchpad or exports_rows(args.export)
    )


def exports_rows(export: str | None) -> bool:
    """Tell whether ``--export`` names a campaign-rows file rather than a directory.

    Parameters
    ----------
    export
        The ``--export`` value.

    Returns
    -------
    bool
        True for a name with a suffix (``rows.csv``, ``rows.json``; other suffixes are
        rejected by the export) that is not an existing directory.
    """
    return bool(export) and bool(Path(export).suffix) and not Path(export).is_dir()


def add_campaign_results_options(results: argparse.ArgumentParser) -> None:
    """Add the campaign filters and export options to ``phonogap results``.

    Parameters
    ----------
    results
        The ``results`` subparser.
    """
    results.add_argument("--campaign", help="campaign rows (state, RMS, kappa) of this campaign")
    results.add_argument(
        "--formula", help="rows of every run and campaign for this reduced formula, e.g. Si"
    )
    results.add_argument("--mp-id", help="rows of every run and campaign for this MP id")
    results.add_argument(
        "--export",
        help="DIR: write each run's phonopy YAMLs and pymatgen band structures to "
        "DIR/<run>/<structure>/; FILE.csv or FILE.json: write campaign rows",
    )
    results.add_argument(
        "--launchpad",
        help="my_launchpad.yaml: every structure submitted there, with the state of the "
        "unfinished ones (waiting, running, failed, completed)",
    )


def add_cluster_commands(commands: Any) -> None:
    """Add ``submit`` and ``db`` to the CLI.

    Parameters
    ----------
    commands
        The subparsers action of the ``phonogap`` parser.
    """
    submit = commands.add_parser("submit", help="add a workflow (or campaign) to FireWorks")
    submit.add_argument("workflow", help="workflow YAML file")
    submit.add_argument("--launchpad", help="my_launchpad.yaml (default: FireWorks' lookup)")
    submit.add_argument(
        "--store",
        help="store the workers write to, embedded in the fireworks (default: each worker's "
        "jobflow.yaml); also where finished campaign structures are looked up",
    )
    submit.set_defaults(handler=cmd_submit)

    db = commands.add_parser("db", help="local MongoDB-protocol server (SecantusDB)")
    db.add_argument("action", choices=("start", "stop", "status"))
    db.add_argument(
        "--dir", help="server directory (default $PHONOGAP_SERVER_DIR or ~/.phonogap/server)"
    )
    db.add_argument("--port", type=int, help="port on 127.0.0.1 (default: a free one)")
    db.set_defaults(handler=cmd_db)
