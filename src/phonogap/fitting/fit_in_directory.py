"""A GAP fit in one directory: regularise, write the training file, run gap_fit, measure errors.

:func:`fit_gap_in_directory` is the whole fit as a plain function; the jobs that call it in
their job directory live in :mod:`phonogap.jobs.fitting`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from phonogap.database.extxyz import labelled_summary, write_training_xyz
from phonogap.database.regularisation import apply_atomwise_sigma
from phonogap.fitting.errors import prediction_errors
from phonogap.fitting.fit_cache import run_gap_fit_or_reuse
from phonogap.fitting.gap_fit import gap_fit_arguments, resolve_e0
from phonogap.fitting.hyperparameters import GapHyperparameters
from phonogap.fitting.launcher import GapFitLauncher
from phonogap.fitting.potential_files import potential_files, sparse_points_used
from phonogap.schemas.fit import GapFitDocument
from phonogap.schemas.keys import ENERGY_KEY, FORCES_KEY, SINGLE_DISPLACEMENT, VIRIAL_KEY
from phonogap.schemas.provenance import software_versions

if TYPE_CHECKING:
    from ase import Atoms

logger = logging.getLogger(__name__)

TRAINING_FILE = "training.xyz"
POTENTIAL_FILE = "gap.xml"


def observables_present(configurations: list[Atoms]) -> list[str]:
    """List which reference observables the training set holds.

    Parameters
    ----------
    configurations
        Labelled configurations.

    Returns
    -------
    list of str
        Subset of ``["energy", "forces", "virial"]``.
    """
    present = []
    if any(ENERGY_KEY in atoms.info for atoms in configurations):
        present.append("energy")
    if any(FORCES_KEY in atoms.arrays for atoms in configurations):
        present.append("forces")
    if any(VIRIAL_KEY in atoms.info for atoms in configurations):
        present.append("virial")
    return present


def fit_gap_in_directory(
    configurations: list[Atoms],
    hyperparameters: GapHyperparameters,
    workdir: Path,
    f: float | None = 0.001,
    f_min: float = 0.01,
    atomwise_config_types: tuple[str, ...] = (SINGLE_DISPLACEMENT,),
    n_threads: int | None = None,
    launcher: GapFitLauncher | None = None,
) -> GapFitDocument:
    """Fit a GAP to labelled configurations in a directory.

    Parameters
    ----------
    configurations
        Labelled configurations (including the isolated atom that sets e0).
    hyperparameters
        Descriptors, sparsification and sigmas.
    workdir
        Where ``training.xyz``, ``gap.xml`` and ``gap_fit.log`` are written.
    f
        Eq. 8 factor for the atom-wise force sigmas; ``None`` uses the fixed sigmas only.
    f_min
        Eq. 8 force floor (eV/Å).
    atomwise_config_types
        config_types that get the atom-wise sigmas.
    n_threads
        OpenMP threads for gap_fit (default: the cores / ranks; only for an OpenMP build).
    launcher
        Prefix, executable and threads (None: ``$PHONOGAP_GAP_FIT_COMMAND``, else gap_fit).

    Returns
    -------
    GapFitDocument
        Path and checksum of the potential, settings and training errors, the xml's path
        relative to ``workdir`` and the text of the xml and its sparseX files
        (:func:`read_potential_files`).
    """
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    training = [atoms.copy() for atoms in configurations]
    if f is not None:
        apply_atomwise_sigma(training, f, f_min, config_types=atomwise_config_types)
    training_xyz = workdir / TRAINING_FILE
    write_training_xyz(training, training_xyz)
    observables = observables_present(training)
    arguments = gap_fit_arguments(
        hyperparameters,
        # names relative to the working directory: gap_fit's option parser splits values
        # at commas, so absolute paths of directories with commas would break the command
        Path(TRAINING_FILE),
        Path(POTENTIAL_FILE),
        e0=resolve_e0(hyperparameters, training),
        has_virials="virial" in observables,
    )
    run = run_gap_fit_or_reuse(arguments, workdir, n_threads=n_threads, launcher=launcher)
    used = sparse_points_used(run.xml_path)
    requested = hyperparameters.total_n_sparse
    if used.get("soap", requested) < requested:
        logger.warning(
            "gap_fit used %d SOAP sparse points, not the %d requested: the training set holds "
            "only that many distinct environments",
            used["soap"],
            requested,
        )
    errors = prediction_errors(run.xml_path, training)
    logger.info("GAP fitted in %.1f s: %s", run.wall_time_s, errors)
    return GapFitDocument(
        potential_xml=str(run.xml_path),
        potential_sha256=run.sha256,
        hyperparameters=hyperparameters.model_dump(mode="json"),
        f=f,
        f_min_ev_per_ang=f_min,
        atomwise_config_types=list(atomwise_config_types) if f is not None else [],
        observables=observables,
        dataset_summary=labelled_summary(training),
        training_errors=errors.as_dict(),
        n_training_configurations=len(training),
        gap_fit_arguments=list(run.arguments),
        wall_time_s=run.wall_time_s,
        sparse_points_used=used,
        launch=run.launch,
        versions=software_versions(),
        potential_relative_path=Path(run.xml_path).resolve().relative_to(workdir).as_posix(),
        potential_files=read_potential_files(Path(run.xml_path)),
    )


def read_potential_files(xml_path: Path) -> dict[str, str]:
    """Read a GAP potential's xml and sparseX files as text.

    Parameters
    ----------
    xml_path
        The potential xml; its sparseX files are next to it.

    Returns
    -------
    dict
        File name -> text, the xml first (the files gap_fit writes are ASCII text).
    """
    return {path.name: path.read_text() for path in potential_files(xml_path)}
