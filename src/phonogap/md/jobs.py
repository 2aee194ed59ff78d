"""Jobs and the Maker of the melt–quench benchmark."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jobflow import Flow, Maker, job

from phonogap.md.errors import phase_diagnostics, phase_errors, snapshot_errors
from phonogap.md.protocol import MeltQuenchSettings, run_melt_quench_isolated
from phonogap.reference.evaluate import evaluate_configurations
from phonogap.reference.gap import GapPotential
from phonogap.reference.registry import reference_from_spec
from phonogap.reference.stillinger_weber import StillingerWeberReference
from phonogap.schemas.configuration import to_atoms_list, to_configurations
from phonogap.schemas.fit import GapFitDocument
from phonogap.schemas.md import MeltQuenchErrorsDocument, MeltQuenchTrajectoryDocument
from phonogap.schemas.provenance import software_versions

if TYPE_CHECKING:
    from phonogap.reference.base import Reference

logger = logging.getLogger(__name__)


def as_potential(candidate: Any) -> tuple[Reference, dict]:
    """Turn a candidate (fit document, xml path, reference or spec) into a Reference.

    Parameters
    ----------
    candidate
        A :class:`~phonogap.schemas.fit.GapFitDocument` (or its dict), a path to a gap xml,
        a :class:`~phonogap.reference.base.Reference`, or a registry spec.

    Returns
    -------
    tuple
        The reference and a short description for documents.
    """
    if isinstance(candidate, dict) and "potential_xml" in candidate:
        candidate = GapFitDocument.model_validate(candidate)
    if isinstance(candidate, GapFitDocument):
        description = {
            "potential_xml": candidate.potential_xml,
            "potential_sha256": candidate.potential_sha256,
            "f": candidate.f,
            "n_sparse": candidate.hyperparameters.get("config_type_n_sparse")
            or candidate.hyperparameters.get("soap", {}).get("n_sparse"),
        }
        return GapPotential(xml_path=candidate.potential_xml), description
    if isinstance(candidate, str) and candidate.endswith(".xml"):
        potential = GapPotential(xml_path=candidate)
        return potential, {"potential_xml": potential.xml_path}
    reference = reference_from_spec(candidate)
    return reference, reference.provenance()


@job(name="melt_quench_md", data=["snapshots", "thermo"])
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


@job(name="melt_quench_errors", data=["snapshot_errors", "thermo"])
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


@dataclass
class MeltQuenchMaker(Maker):
    """The paper's transferability benchmark: melt–quench MD, reference labels, errors.

    Parameters
    ----------
    name
        Flow name.
    settings
        The protocol (default: the paper's 512 atoms, 12 vacancies, 1,800 K, 10 K/ps);
        ``MeltQuenchSettings.ci()`` is the scaled-down preset.
    reference
        Labels the snapshots (default: Stillinger–Weber).
    driver
        Drives the MD (default: the reference; a fit document or xml path for a GAP).
    n_workers
        Processes for labelling and evaluation.
    """

    name: str = "melt_quench"
    settings: MeltQuenchSettings = field(default_factory=MeltQuenchSettings.paper)
    reference: Any = field(default_factory=StillingerWeberReference)
    driver: Any = None
    n_workers: int | None = None

    def make(self, potentials: dict[str, Any]) -> Flow:
        """Build the Flow.

        Parameters
        ----------
        potentials
            Candidate name to a fit document (or an output reference to one), xml path or
            reference spec.

        Returns
        -------
        Flow
            MD then errors; its output is the :class:`MeltQuenchErrorsDocument`.
        """
        if not potentials:
            raise ValueError("MeltQuenchMaker.make needs at least one candidate potential")
        reference = reference_from_spec(self.reference)
        md = melt_quench_md(self.settings, self.driver or reference)
        errors = melt_quench_errors(md.output, reference, potentials, n_workers=self.n_workers)
        return Flow([md, errors], output=errors.output, name=self.name)
