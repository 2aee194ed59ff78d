"""Relax with atomate2 makers (VASP) when the reference has no in-process calculator.

``relaxation_job`` is the hook the Flows call: references with an ASE calculator (``sw``,
``qe``, ``gap``) relax in :func:`phonogap.structures.jobs.relax_with_reference`; references
that run through atomate2 (``vasp``: a ``relax_maker()``) get one atomate2 relax job per
structure and a collect job applying the same StructureMatcher filter, so the rest of the Flow
receives the same :class:`~phonogap.schemas.structures.RelaxationDocument`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np
from jobflow import Flow, Job, Response, job

from phonogap.schemas.provenance import software_versions
from phonogap.schemas.structures import (
    DroppedStructureRecord,
    RelaxationDocument,
    RelaxedStructure,
)
from phonogap.structures.filters import filter_unchanged_by_relaxation
from phonogap.structures.settings import FilterSettings, RelaxSettings

if TYPE_CHECKING:
    from pymatgen.core import Structure

    from phonogap.reference.base import Reference

logger = logging.getLogger(__name__)


def relaxation_job(
    structures: dict[str, Structure],
    reference: Reference,
    mp_ids: dict[str, str] | None = None,
    relax_settings: RelaxSettings | None = None,
    filter_settings: FilterSettings | None = None,
    n_workers: int | None = None,
) -> Job:
    """Choose how the reference relaxes the candidate structures.

    Parameters
    ----------
    structures
        Name to candidate structure.
    reference
        The reference backend.
    mp_ids
        Optional name to Materials Project id.
    relax_settings, filter_settings
        As for :func:`~phonogap.structures.jobs.relax_with_reference`.
    n_workers
        Processes for calculator backends.

    Returns
    -------
    Job
        ``relax_with_reference``, or ``relax_with_atomate2`` for backends with a
        ``relax_maker``.
    """
    if hasattr(reference, "relax_maker"):
        return relax_with_atomate2(structures, reference, mp_ids, filter_settings)
    from phonogap.structures.jobs import relax_with_reference

    return relax_with_reference(
        structures,
        reference,
        mp_ids=mp_ids,
        relax_settings=relax_settings,
        filter_settings=filter_settings,
        n_workers=n_workers,
    )


@job(name="relax_with_atomate2")
def relax_with_atomate2(
    structures: dict[str, Structure],
    reference: Reference,
    mp_ids: dict[str, str] | None = None,
    filter_settings: FilterSettings | None = None,
) -> Response:
    """Replace itself by one atomate2 relax job per structure and a filtering collect job.

    Parameters
    ----------
    structures
        Name to candidate structure.
    reference
        A backend with ``relax_maker(name=...)`` (e.g. ``vasp``).
    mp_ids
        Optional name to Materials Project id.
    filter_settings
        StructureMatcher tolerances and the max-atoms filter.

    Returns
    -------
    Response
        ``replace``: a Flow whose output is the :class:`RelaxationDocument`.
    """
    filter_settings = filter_settings or FilterSettings()
    dropped = []
    names = list(structures)
    if filter_settings.max_atoms is not None:
        too_big = [n for n in names if len(structures[n]) > filter_settings.max_atoms]
        dropped = [
            {"name": n, "reason": f"{len(structures[n])} atoms > max_atoms"} for n in too_big
        ]
        names = [n for n in names if n not in too_big]
    relax_jobs = [reference.relax_maker(name=f"relax {n}").make(structures[n]) for n in names]
    collect = collect_relaxations(
        {n: structures[n] for n in names},
        {n: j.output for n, j in zip(names, relax_jobs, strict=True)},
        reference.provenance(),
        mp_ids or {},
        filter_settings,
        dropped,
    )
    return Response(replace=Flow([*relax_jobs, collect], output=collect.output))


def _task_output(task: Any) -> dict[str, Any]:
    """Read structure, energy and forces of a relax task (summary, else last ionic step)."""
    data = task.model_dump() if hasattr(task, "model_dump") else dict(task)
    calcs = data.get("calcs_reversed") or [{}]
    steps = (calcs[0].get("output") or {}).get("ionic_steps") or []
    output = dict(data.get("output") or {})
    if output.get("structure") is None and steps:
        last = steps[-1]
        output = {"structure": last["structure"], "energy": last["e_fr_energy"]}
        output["forces"] = last.get("forces")
    if output.get("structure") is None:
        raise ValueError(
            f"relax task {data.get('dir_name')} holds no relaxed structure; did it finish?"
        )
    output["n_steps"] = len(steps)
    return output


@job(name="collect_relaxations")
def collect_relaxations(
    initial: dict[str, Structure],
    tasks: dict[str, Any],
    reference: dict[str, Any],
    mp_ids: dict[str, str],
    filter_settings: FilterSettings,
    dropped: list[dict[str, str]],
) -> RelaxationDocument:
    """Build the relaxation document from atomate2 task documents, with the paper's filter.

    Parameters
    ----------
    initial
        Name to candidate structure.
    tasks
        Name to the relax job's task document.
    reference
        Reference provenance.
    mp_ids
        Name to Materials Project id.
    filter_settings
        StructureMatcher tolerances.
    dropped
        Structures dropped before relaxing (name, reason).

    Returns
    -------
    RelaxationDocument
        Kept and dropped structures, as ``relax_with_reference`` returns.
    """
    from pymatgen.core import Structure

    outputs = {name: _task_output(task) for name, task in tasks.items()}
    relaxed = {
        name: s if isinstance(s := o["structure"], Structure) else Structure.from_dict(s)
        for name, o in outputs.items()
    }
    kept_names, changed = filter_unchanged_by_relaxation(
        initial,
        relaxed,
        ltol=filter_settings.ltol,
        stol=filter_settings.stol,
        angle_tol=filter_settings.angle_tol,
    )
    records = [DroppedStructureRecord(**d) for d in dropped]
    records += [DroppedStructureRecord(name=d.name, reason=d.reason) for d in changed]
    for record in records:
        logger.warning("dropped %s: %s", record.name, record.reason)
    kept = []
    for name in kept_names:
        forces = np.asarray(outputs[name].get("forces") or [[0.0, 0.0, 0.0]], dtype=float)
        kept.append(
            RelaxedStructure(
                name=name,
                mp_id=mp_ids.get(name),
                initial=initial[name],
                relaxed=relaxed[name],
                energy_ev_per_atom=float(outputs[name]["energy"]) / len(relaxed[name]),
                max_force_ev_per_ang=float(np.linalg.norm(forces, axis=1).max()),
                n_steps=int(outputs[name]["n_steps"]),
                converged=True,
            )
        )
    return RelaxationDocument(
        reference=reference,
        structures=kept,
        dropped=records,
        settings={"filter": filter_settings.model_dump(), "relax": "atomate2 relax_maker"},
        versions=software_versions(),
    )
