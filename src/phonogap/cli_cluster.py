"""Cluster commands of the ``phonogap`` CLI: ``submit``, ``db``, campaign runs and results."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.table import Table

from phonogap.cli import console, log_console


def print_campaign(rows: list[Any], title: str) -> None:
    """Print campaign rows (state, RMS, false instability) as a table."""
    table = Table(title=title)
    for column in (
        "campaign",
        "structure",
        "formula",
        "mp_id",
        "state",
        "RMS (THz)",
        "false instab.",
    ):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row.campaign,
            row.structure,
            row.formula or "",
            row.mp_id or "",
            row.state,
            "" if row.rms_thz is None else f"{row.rms_thz:.4f}",
            {None: "", True: "[red]YES[/red]", False: "no"}[row.false_instability],
        )
    console.print(table)


def run_campaign(workflow: Any, base_dir: Path, out_dir: Path, store_config: str | None) -> int:
    """Run a campaign workflow locally; write campaign.csv/json; 1 if a structure failed."""
    from jobflow import run_locally

    from phonogap.campaign import build_campaign
    from phonogap.results import campaign_rows, write_rows
    from phonogap.store import describe_store, get_store
    from phonogap.config import load_structures_from

    structures, mp_ids = load_structures_from(workflow.structures, base_dir)
    store = get_store(store_config)
    campaign = build_campaign(workflow, structures, mp_ids, store=store)
    log_console.print(
        f"store: {describe_store(store)}; campaign {campaign.name}: {len(campaign.structures)} "
        f"to run, {len(campaign.skipped)} finished earlier"
    )
    if type(store.docs_store).__name__ == "MontyStore" and len(campaign.structures) > 3:
        log_console.print(
            "[yellow]note:[/yellow] the embedded store slows down as it fills "
            "(benchmarks/store_speed.py); for campaigns run `phonogap db start` and pass "
            "--store server"
        )
    jobs_dir = (out_dir / "jobs").resolve()
    jobs_dir.mkdir(parents=True, exist_ok=True)
    with log_console.status(f"running campaign {campaign.name}"):
        run_locally(campaign.flow, store=store, create_folders=True, root_dir=jobs_dir, log=False)
    store.connect()
    rows = campaign_rows(store, campaign.name)
    print_campaign(rows, f"campaign {campaign.name}")
    written = (
        write_rows(rows, out_dir / "campaign.csv"),
        write_rows(rows, out_dir / "campaign.json"),
    )
    for path in written:
        console.print(f"wrote {path}")
    return 1 if any(row.state == "failed" for row in rows) else 0


def cmd_submit(args: argparse.Namespace) -> int:
    """Add a workflow file's Flow (or campaign) to a FireWorks launchpad."""
    from phonogap.campaign import build_campaign
    from phonogap.store import get_store
    from phonogap.submit import load_launchpad, structure_metadata, submit_flow
    from phonogap.config import flow_from_workflow, load_structures_from, read_workflow_file

    path = Path(args.workflow)
    workflow = read_workflow_file(path)
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


def cmd_db(args: argparse.Namespace) -> int:
    """Start, stop or report the local SecantusDB server."""
    from phonogap.server import server_dir, server_status, start_server, stop_server

    directory = server_dir(args.dir)
    if args.action == "start":
        info = start_server(directory, port=args.port)
        console.print(f"server running at {info.uri} (pid {info.pid}), data in {directory}")
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
    console.print(f"server running at {info.uri} (pid {info.pid}), data in {directory}")
    return 0


def campaign_results(args: argparse.Namespace, store: Any) -> int:
    """Print or export campaign rows filtered by campaign, formula or mp_id."""
    from phonogap.results import campaign_rows, write_rows
    from phonogap.submit import load_launchpad

    launchpad = load_launchpad(args.launchpad) if args.launchpad else None
    rows = campaign_rows(store, args.campaign, args.formula, args.mp_id, launchpad=launchpad)
    if args.export:
        console.print(f"wrote {write_rows(rows, Path(args.export))} ({len(rows)} structures)")
    elif args.format == "json":
        print(json.dumps([row.model_dump() for row in rows], indent=2))
    elif rows:
        print_campaign(rows, f"campaign {args.campaign or '(all)'}")
    else:
        console.print("no campaign structures match in the store")
    return 0


def add_campaign_results_options(results: argparse.ArgumentParser) -> None:
    """Add the campaign filters and export options to ``phonogap results``.

    Parameters
    ----------
    results
        The ``results`` subparser.
    """
    results.add_argument("--campaign", help="campaign rows (state, RMS, kappa) of this campaign")
    results.add_argument("--formula", help="only structures of this reduced formula, e.g. Si")
    results.add_argument("--mp-id", help="only this Materials Project id")
    results.add_argument("--export", help="write campaign rows to FILE.csv or FILE.json")
    results.add_argument("--launchpad", help="my_launchpad.yaml: state of unfinished structures")


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
