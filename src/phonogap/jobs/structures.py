"""Workflow layer: relaxation jobs, in-process with the reference or as atomate2 jobs.

:func:`relaxation_job` is the hook the Flows call: references with an ASE calculator (``sw``,
``qe``, ``gap``) relax in :func:`relax_with_reference`; references with an atomate2 relax maker
(``vasp``: :meth:`~phonogap.reference.base.Reference.relax_maker`) get one atomate2 relax job
per structure and :func:`collect_relaxations`, which applies the same StructureMatcher filter,
so the rest of the Flow receives the same :class:`~phonogap.schemas.structures.RelaxationDocument`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np
from jobflow import Flow, Job, Response, job
from pymatgen.io.ase import AseAtomsAdaptor

from phonogap.progress import report_replacement
from phonogap.schemas.provenance import software_versions
from phonogap.schemas.structures import (
    DroppedStructure,
    RelaxationDocument,
    RelaxedStructure,
)
from phonogap.structures.filters import filter_max_atoms, filter_unchanged_by_relaxation
from phonogap.structures.relax_batch import relax_many
from phonogap.structures.settings import FilterSettings, RelaxSettings
from phonogap.structures.task_documents import relax_task_output

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
        As for :func:`relax_with_reference`.
    n_workers
        Processes for calculator backends.

    Returns
    -------
    Job
        ``relax_with_reference``, or ``relax_with_atomate2`` for backends with a
        relax maker.
    """
    if reference.relax_maker() is not None:
        return relax_with_atomate2(
            structures, reference, mp_ids, filter_settings, relax_settings=relax_settings
        )
    return relax_with_reference(
        structures,
        reference,
        mp_ids=mp_ids,
        relax_settings=relax_settings,
        filter_settings=filter_settings,
        n_workers=n_workers,
    )


@job(name="relax_with_reference", output_schema=RelaxationDocument)
def relax_with_reference(
    structures: dict[str, Structure],
    reference: Reference,
    mp_ids: dict[str, str] | None = None,
    relax_settings: RelaxSettings | None = None,
    filter_settings: FilterSettings | None = None,
    n_workers: int | None = None,
) -> RelaxationDocument:
    """Relax candidate structures with the reference and drop those that changed.

    A relaxation that leaves the sane window of ``relax_settings`` (volume ×0.5–×2, no two
    atoms closer than 0.5 Å by default) drops that structure with the guard's message as
    the reason, as structures that changed under relaxation are dropped: the reference has
    no minimum near it, so it cannot be a training structure, and the other candidates
    go on (the phonon benchmark, by contrast, fails the structure's job; see
    :func:`phonogap.jobs.phonons.benchmark_structure`).

    Parameters
    ----------
    structures
        Name to candidate structure.
    reference
        The reference backend.
    mp_ids
        Optional name to Materials Project id.
    relax_settings
        Relaxation settings (defaults: :class:`RelaxSettings`).
    filter_settings
        Filter settings (defaults: the paper's StructureMatcher tolerances).
    n_workers
        Processes for the relaxations.

    Returns
    -------
    RelaxationDocument
        Kept structures (initial and relaxed) and dropped ones with reasons.
    """
    relax_settings = relax_settings or RelaxSettings()
    filter_settings = filter_settings or FilterSettings()
    mp_ids = mp_ids or {}
    dropped: list[DroppedStructure] = []
    candidates = dict(structures)
    if filter_settings.max_atoms is not None:
        kept_names, too_big = filter_max_atoms(candidates, filter_settings.max_atoms)
        dropped += [DroppedStructure(name=d.name, reason=d.reason) for d in too_big]
        candidates = {name: candidates[name] for name in kept_names}

    results = relax_many(reference, candidates, relax_settings, n_workers)
    stopped = [name for name, result in results.items() if result.failure is not None]
    dropped += [DroppedStructure(name=name, reason=results[name].failure) for name in stopped]
    not_converged = [
        name for name, result in results.items() if not result.converged and name not in stopped
    ]
    for name in not_converged:
        dropped.append(
            DroppedStructure(
                name=name,
                reason=(
                    f"relaxation did not converge to {relax_settings.fmax_ev_per_ang} eV/Å in "
                    f"{relax_settings.max_steps} steps (max force "
                    f"{results[name].max_force_ev_per_ang:.2e} eV/Å)"
                ),
            )
        )
    converged = {name: result for name, result in results.items() if result.converged}
    kept_names, changed = filter_unchanged_by_relaxation(
        {name: candidates[name] for name in converged},
        {name: result.structure for name, result in converged.items()},
        ltol=filter_settings.ltol,
        stol=filter_settings.stol,
        angle_tol=filter_settings.angle_tol,
    )
    dropped += [DroppedStructure(name=d.name, reason=d.reason) for d in changed]
    for record in dropped:
        logger.warning("dropped %s: %s", record.name, record.reason)
    kept = [
        RelaxedStructure(
            name=name,
            mp_id=mp_ids.get(name),
            initial=candidates[name],
            relaxed=converged[name].structure,
            energy_ev_per_atom=converged[name].energy_ev / len(candidates[name]),
            max_force_ev_per_ang=converged[name].max_force_ev_per_ang,
            n_steps=converged[name].n_steps,
            converged=True,
        )
        for name in kept_names
    ]
    return RelaxationDocument(
        reference=reference.provenance(),
        structures=kept,
        dropped=dropped,
        settings={
            "relax": relax_settings.model_dump(),
            "filter": filter_settings.model_dump(),
        },
        versions=software_versions(),
    )


@job(name="relax_with_atomate2")
def relax_with_atomate2(
    structures: dict[str, Structure],
    reference: Reference,
    mp_ids: dict[str, str] | None = None,
    filter_settings: FilterSettings | None = None,
    relax_settings: RelaxSettings | None = None,
) -> Response:
    """Replace itself by one atomate2 relax job per structure and a filtering collect job.

    Parameters
    ----------
    structures
        Name to candidate structure.
    reference
        A backend with an atomate2 relax maker (e.g. ``vasp``).
    mp_ids
        Optional name to Materials Project id.
    filter_settings
        StructureMatcher tolerances and the max-atoms filter.
    relax_settings
        Only the volume and distance window is used: atomate2 relaxes with its own
        settings, and :func:`collect_relaxations` drops a structure that ended outside it.

    Returns
    -------
    Response
        ``replace``: a Flow whose output is the :class:`RelaxationDocument` of
        :func:`collect_relaxations`.

    Notes
    -----
    No ``output_schema``: with jobflow 0.4 the schema of a job that replaces itself by a Flow is
    applied to the Flow's unresolved output reference and fails (``Expected output to be ...
    but got output type of OutputReference``).
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
    relax_jobs = []
    for name in names:
        maker = reference.relax_maker(name=f"relax {name}")
        if maker is None:
            raise ValueError(f"the {reference.backend} reference has no atomate2 relax maker")
        relax_jobs.append(maker.make(structures[name]))
    collect = collect_relaxations(
        {n: structures[n] for n in names},
        {n: j.output for n, j in zip(names, relax_jobs, strict=True)},
        reference.provenance(),
        mp_ids or {},
        filter_settings,
        dropped,
        relax_settings=relax_settings,
    )
    replacement = Flow([*relax_jobs, collect], output=collect.output)
    report_replacement(replacement)
    return Response(replace=replacement)


@job(name="collect_relaxations", output_schema=RelaxationDocument)
def collect_relaxations(
    initial: dict[str, Structure],
    tasks: dict[str, Any],
    reference: dict[str, Any],
    mp_ids: dict[str, str],
    filter_settings: FilterSettings,
    dropped: list[dict[str, str]],
    relax_settings: RelaxSettings | None = None,
) -> RelaxationDocument:
    """Build the relaxation document from atomate2 task documents, with the paper's filter.

    A structure whose relaxation ended outside the volume and distance window of
    ``relax_settings`` (default :class:`RelaxSettings`: ×0.5–×2, 0.5 Å) is dropped with the
    guard's message, as :func:`relax_with_reference` drops one it stopped.

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
    relax_settings
        The volume and distance window (the rest is atomate2's business).

    Returns
    -------
    RelaxationDocument
        Kept and dropped structures, as ``relax_with_reference`` returns.
    """
    guard_settings = relax_settings or RelaxSettings()
    outputs = {name: relax_task_output(task) for name, task in tasks.items()}
    records = [DroppedStructure(**d) for d in dropped]
    for name in list(outputs):
        reason = guard_settings.guard(name).violation(
            AseAtomsAdaptor.get_atoms(initial[name]),
            AseAtomsAdaptor.get_atoms(outputs[name]["structure"]),
            int(outputs[name]["n_steps"]),
            "atomate2 relax",
        )
        if reason is not None:
            records.append(DroppedStructure(name=name, reason=reason))
            del outputs[name]
    relaxed = {name: output["structure"] for name, output in outputs.items()}
    initial = {name: initial[name] for name in relaxed}
    kept_names, changed = filter_unchanged_by_relaxation(
        initial,
        relaxed,
        ltol=filter_settings.ltol,
        stol=filter_settings.stol,
        angle_tol=filter_settings.angle_tol,
    )
    records += [DroppedStructure(name=d.name, reason=d.reason) for d in changed]
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
