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


FIREWORK_STATES = {
    "failed": {"FIZZLED"},
    "running": {"RUNNING", "RESERVED"},
    "waiting": {"READY", "WAITING"},
}
"""Row state of a structure (first match wins) to the Firework states that make it so."""


def _structure_names(spec: dict[str, Any]) -> list[str]:
    """Return the structures a Firework works on (``structure``, or ``structures``)."""
    if spec.get("structure"):
        return [spec["structure"]]
    return list(spec.get("structures") or [])


def _identity(spec: dict[str, Any], name: str) -> dict[str, str | None]:
    """Return formula and mp_id of one structure from a Firework spec (None: cannot tell)."""
    if spec.get("structure"):
        return {"formula": spec.get("formula"), "mp_id": spec.get("mp_id")}
    formulas = spec.get("formulas") or []
    return {
        "formula": formulas[0] if len(formulas) == 1 else None,
        "mp_id": name if name in (spec.get("mp_ids") or []) else None,
    }


def _state(found: set[str]) -> str:
    for state, fireworks_states in FIREWORK_STATES.items():
        if found & fireworks_states:
            return state
    return "completed" if found == {"COMPLETED"} else "incomplete"


def launchpad_structures(
    launchpad: LaunchPad, campaign: str | None
) -> dict[tuple[str, str], dict[str, str | None]]:
    """List every structure submitted to a launchpad with the state of its Fireworks.

    The structures come from the Firework specs (``campaign`` and ``structure``, as
    :func:`flow_to_fireworks` tags them; ``structures`` for a flow of several structures),
    so a campaign is listed in full straight after ``phonogap submit``, before any job ran.

    Parameters
    ----------
    launchpad
        The launchpad the campaign was submitted to.
    campaign
        Only this campaign (``spec.campaign``); ``None``: every campaign.

    Returns
    -------
    dict
        ``(campaign, structure)`` to ``{"state", "formula", "mp_id"}``; the state is
        ``failed`` (a Firework fizzled), ``running`` (one is running or reserved), ``waiting``
        (one is ready or waiting), ``completed`` (all completed) or else ``incomplete``.
    """
    named = {"$or": [{"spec.structure": {"$exists": True}}, {"spec.structures": {"$exists": True}}]}
    query: dict[str, Any] = {**named, "spec.campaign": campaign if campaign else {"$exists": True}}
    fields = ("campaign", "structure", "structures", "formula", "formulas", "mp_id", "mp_ids")
    projection = {"state": 1, **{f"spec.{name}": 1 for name in fields}}
    states: dict[tuple[str, str], set[str]] = {}
    identities: dict[tuple[str, str], dict[str, str | None]] = {}
    for fw in launchpad.fireworks.find(query, projection):
        spec = fw["spec"]
        for name in _structure_names(spec):
            key = (spec["campaign"], name)
            states.setdefault(key, set()).add(fw["state"])
            identities.setdefault(key, _identity(spec, name))
    return {key: {"state": _state(found), **identities[key]} for key, found in states.items()}


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
        ``(campaign, structure)`` to ``failed``, ``running``, ``waiting``, ``completed`` or
        ``incomplete`` (see :func:`launchpad_structures`).
    """
    return {key: found["state"] for key, found in launchpad_structures(launchpad, campaign).items()}
