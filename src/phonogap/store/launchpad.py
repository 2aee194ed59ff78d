"""Application layer: put phonogap Flows on a FireWorks launchpad, as atomate2 users do.

The Flow is converted with jobflow's ``flow_to_workflow`` and added with ``LaunchPad.add_wf``;
workers run it with the standard ``rlaunch`` / ``qlaunch``. Metadata (campaign, structure,
formula, mp_id) is set on every job, so it lands both in each Firework's ``spec`` (to find
fireworks with ``lpad get_fws -q``) and in each output document of the JobStore (``metadata``,
to find results with maggma).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fireworks import LaunchPad
from jobflow.managers.fireworks import flow_to_workflow

from phonogap.errors import PhonogapError

if TYPE_CHECKING:
    from fireworks import Workflow
    from jobflow import Flow, JobStore

logger = logging.getLogger(__name__)


class LaunchpadConfigError(PhonogapError, ValueError):
    """Raised when the launchpad file is missing or unusable."""


def load_launchpad(path: str | Path | None = None) -> LaunchPad:
    """Load a FireWorks launchpad from a file, or FireWorks' own default lookup.

    Parameters
    ----------
    path
        ``my_launchpad.yaml``; default: ``LAUNCHPAD_LOC``/``FW_CONFIG_FILE`` or
        ``./my_launchpad.yaml``, as ``lpad`` finds it.

    Returns
    -------
    LaunchPad
        The launchpad.

    Raises
    ------
    LaunchpadConfigError
        If the file does not exist or is not a launchpad file.
    """
    if path is None:
        return LaunchPad.auto_load()
    path = Path(path).expanduser()
    if not path.is_file():
        raise LaunchpadConfigError(
            f"launchpad file {path} does not exist; copy launcher_configs/my_launchpad.yaml "
            "and set host, port and name, or use the one `phonogap db start` writes"
        )
    try:
        return LaunchPad.from_file(str(path))
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise LaunchpadConfigError(
            f"launchpad file {path} is not usable ({exc}); it needs host, port and name"
        ) from exc


def flow_to_fireworks(
    flow: Flow, metadata: dict[str, Any], store: JobStore | None = None
) -> Workflow:
    """Convert a Flow into a FireWorks Workflow, tagging every job with metadata.

    Parameters
    ----------
    flow
        The Flow (its jobs' metadata is updated, also for jobs created dynamically).
    metadata
        e.g. from :func:`structure_metadata`; stored in each job's metadata and Firework spec
        and in the Workflow's metadata.
    store
        JobStore the workers write to; ``None`` lets each worker use its own ``jobflow.yaml``
        (``JOB_STORE``), as atomate2 does.

    Returns
    -------
    Workflow
        Ready for ``LaunchPad.add_wf``.
    """
    flow.update_metadata(metadata)
    return flow_to_workflow(flow, store=store, metadata=dict(metadata))


def submit_flow(
    flow: Flow,
    launchpad: LaunchPad,
    metadata: dict[str, Any],
    store: JobStore | None = None,
) -> dict[int, int]:
    """Add a Flow to a launchpad.

    Parameters
    ----------
    flow
        The Flow.
    launchpad
        Target launchpad.
    metadata
        Metadata to find it again (see :func:`structure_metadata`).
    store
        JobStore embedded in the Fireworks (``None``: the workers' ``jobflow.yaml``).

    Returns
    -------
    dict
        FireWorks' mapping of temporary to assigned Firework ids.
    """
    if store is not None and type(store.docs_store).__name__ == "MontyStore":
        logger.warning(
            "submitting with the embedded MontyStore: workers must share this machine's "
            "file system, and their writes wait for each other (a file lock); use a MongoDB "
            "store (`phonogap db start`, --store server) for workers on other machines"
        )
    workflow = flow_to_fireworks(flow, metadata, store)
    ids = launchpad.add_wf(workflow)
    logger.info("added %s (%d fireworks) to %s", flow.name, len(ids), launchpad.host)
    return ids


def launchpad_states(launchpad: LaunchPad, campaign: str | None) -> dict[tuple[str, str], str]:
    """Map each structure of the campaigns on a launchpad to the state of its Fireworks.

    Parameters
    ----------
    launchpad
        The launchpad the campaign was submitted to.
    campaign
        Only this campaign (``spec.campaign``); ``None``: every campaign.

    Returns
    -------
    dict
        ``(campaign, structure)`` to ``failed`` (a Firework fizzled), ``running``,
        ``waiting`` or else ``incomplete``.
    """
    query: dict[str, Any] = {"spec.structure": {"$exists": True}}
    query["spec.campaign"] = campaign if campaign else {"$exists": True}
    states: dict[tuple[str, str], set[str]] = {}
    for fw in launchpad.fireworks.find(
        query, {"state": 1, "spec.campaign": 1, "spec.structure": 1}
    ):
        key = (fw["spec"]["campaign"], fw["spec"]["structure"])
        states.setdefault(key, set()).add(fw["state"])
    result = {}
    for key, found in states.items():
        if "FIZZLED" in found:
            result[key] = "failed"
        elif found & {"RUNNING", "RESERVED"}:
            result[key] = "running"
        elif found & {"READY", "WAITING"}:
            result[key] = "waiting"
        else:
            result[key] = "incomplete"
    return result
