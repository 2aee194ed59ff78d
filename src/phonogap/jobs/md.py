"""Workflow layer: the melt–quench benchmark jobs (MD with one driver, then errors).

The Maker is :class:`phonogap.flows.melt_quench.MeltQuenchMaker`; the protocol and the error
measures are science (:mod:`phonogap.md`).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from jobflow import job

from phonogap.md.candidates import as_potential
from phonogap.md.errors import phase_diagnostics, phase_errors, snapshot_errors
from phonogap.md.protocol import MeltQuenchSettings, run_melt_quench_isolated
from phonogap.reference.evaluate import evaluate_configurations
from phonogap.reference.registry import reference_from_spec
from phonogap.reference.stillinger_weber import StillingerWeberReference
from phonogap.schemas.configuration import to_atoms_list, to_configurations
from phonogap.schemas.md import MeltQuenchErrorsDocument, MeltQuenchTrajectoryDocument
from phonogap.schemas.provenance import software_versions

if TYPE_CHECKING:
    from phonogap.reference.base import Reference

logger = logging.getLogger(__name__)


@job(
    name="melt_quench_md",
    data=["snapshots", "thermo"],
    output_schema=MeltQuenchTrajectoryDocument,
)
def melt_quench_md(
    settings: MeltQuenchSettings, driver: Any = None
) -> MeltQuenchTrajectoryDocument:
    """Run the melt–quench protocol with one driving potential.

    Parameters
    ----------
    settings
        The protocol.
    driver
        What drives the MD (see :func:`as_potential`; default: Stillinger–Weber).

    Returns
    -------
    MeltQuenchTrajectoryDocument
        Snapshots and the temperature/density log.
    """
    potential, description = as_potential(driver or StillingerWeberReference())
    run = run_melt_quench_isolated(potential, settings)
    return MeltQuenchTrajectoryDocument(
        driver=description,
        settings=settings.model_dump(),
        snapshots=to_configurations(run.snapshots),
        thermo=run.thermo,
        n_atoms=len(run.snapshots[0]) if run.snapshots else 0,
        wall_time_s=run.wall_time_s,
        versions=software_versions(),
    )


@job(
    name="melt_quench_errors",
    data=["snapshot_errors", "thermo"],
    output_schema=MeltQuenchErrorsDocument,
)
def melt_quench_errors(
    trajectory: MeltQuenchTrajectoryDocument,
    reference: Reference,
    potentials: dict[str, Any],
    n_workers: int | None = None,
) -> MeltQuenchErrorsDocument:
    """Label the snapshots with the reference and measure every candidate on them.

    Parameters
    ----------
    trajectory
        Output of :func:`melt_quench_md`.
    reference
        Labels the snapshots (DFT in production, ``sw`` for the exact ground truth).
    potentials
        Candidate name to candidate (see :func:`as_potential`).
    n_workers
        Processes for labelling and evaluation.

    Returns
    -------
    MeltQuenchErrorsDocument
        Per-snapshot and per-phase errors of every candidate.
    """
    start = time.perf_counter()
    reference = reference_from_spec(reference)
    snapshots = evaluate_configurations(
        reference, to_atoms_list(trajectory.snapshots), n_workers=n_workers
    )
    rows: dict[str, list[dict]] = {}
    described: dict[str, dict] = {}
    for name, candidate in potentials.items():
        potential, described[name] = as_potential(candidate)
        rows[name] = snapshot_errors(snapshots, potential, n_workers=n_workers)
        logger.info("melt-quench errors of %s: %s", name, phase_errors(rows[name]))
    return MeltQuenchErrorsDocument(
        reference=reference.provenance(),
        driver=trajectory.driver,
        settings=trajectory.settings,
        potentials=described,
        snapshot_errors=rows,
        phase_errors={name: phase_errors(r) for name, r in rows.items()},
        phase_diagnostics=phase_diagnostics(snapshots),
        thermo=trajectory.thermo,
        n_atoms=trajectory.n_atoms,
        n_snapshots=len(snapshots),
        wall_time_s=time.perf_counter() - start,
        versions=software_versions(),
    )
