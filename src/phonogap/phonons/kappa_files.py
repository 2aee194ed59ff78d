"""The files and document of a kappa calculation: phono3py inputs, fc2/fc3 and their checksums.

:func:`build_document` writes a complete phono3py calculation into a directory:
``phono3py_params.yaml`` (cells, displacements, forces), ``fc2.hdf5`` and ``fc3.hdf5``;
``phono3py-load phono3py_params.yaml --mesh 11 11 11 --br`` run there reads the hdf5 files and
reproduces the document's kappa. The document keeps their paths and SHA-256 (fc3 never enters
the JobStore, see :mod:`phonogap.schemas.kappa`) and carries the small fc2 inline, for the
``data`` store. The jobs live in :mod:`phonogap.jobs.kappa`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from phono3py.file_IO import write_fc2_to_hdf5, write_fc3_to_hdf5

from phonogap.phonons.harmonic import phonopy_atoms_to_structure
from phonogap.schemas.kappa import ForceConstantsFiles, KappaDocument
from phonogap.schemas.provenance import file_sha256, software_versions

if TYPE_CHECKING:
    from phono3py import Phono3py

    from phonogap.phonons.kappa import KappaRun
    from phonogap.schemas.kappa import KappaSettings

FC2_FILE = "fc2.hdf5"
FC3_FILE = "fc3.hdf5"
PARAMS_FILE = "phono3py_params.yaml"


def write_phono3py_files(ph3: Phono3py, directory: Path) -> ForceConstantsFiles:
    """Write ``phono3py_params.yaml``, ``fc2.hdf5`` and ``fc3.hdf5`` (compact) to a directory.

    Parameters
    ----------
    ph3
        With forces, fc2 and fc3.
    directory
        Existing output directory.

    Returns
    -------
    ForceConstantsFiles
        Paths, checksums and shapes.
    """
    ph3.save(directory / PARAMS_FILE)
    write_fc2_to_hdf5(ph3.fc2, str(directory / FC2_FILE), p2s_map=ph3.phonon_primitive.p2s_map)
    write_fc3_to_hdf5(
        ph3.fc3,
        fc3_nonzero_indices=ph3.fc3_nonzero_indices,
        filename=str(directory / FC3_FILE),
        p2s_map=ph3.primitive.p2s_map,
        fc3_cutoff=ph3.fc3_cutoff,
    )
    return ForceConstantsFiles(
        directory=str(directory),
        fc2_hdf5=FC2_FILE,
        fc3_hdf5=FC3_FILE,
        fc2_sha256=file_sha256(directory / FC2_FILE),
        fc3_sha256=file_sha256(directory / FC3_FILE),
        fc2_shape=list(ph3.fc2.shape),
        fc3_shape=list(ph3.fc3.shape),
    )


def build_document(
    run: KappaRun,
    *,
    name: str,
    method: str,
    settings: KappaSettings,
    reference: dict[str, Any],
    wall_time_s: float,
    relaxation: dict[str, Any] | None = None,
    directory: Path | None = None,
) -> KappaDocument:
    """Write the phono3py files and assemble the output document.

    Parameters
    ----------
    run
        The finished calculation.
    name
        Label.
    method
        ``finite_displacement``, ``random_displacements`` or ``imported``.
    settings
        Settings used.
    reference
        Force-source provenance.
    wall_time_s
        Wall time so far (s).
    relaxation
        Relaxation record, if the structure was relaxed first.
    directory
        Existing directory for the phono3py files (default: the current one).

    Returns
    -------
    KappaDocument
        The document (fc2 inline for the data store, fc3 as a file reference).
    """
    ph3 = run.phono3py
    files = write_phono3py_files(ph3, Path(directory or Path.cwd()).resolve())
    structure = phonopy_atoms_to_structure(ph3.unitcell)
    psmat = ph3.phonon_supercell_matrix
    return KappaDocument(
        name=name,
        formula=structure.composition.reduced_formula,
        structure=structure,
        method=method,
        temperatures_k=run.result.temperatures_k,
        kappa_tensors_w_per_mk=run.result.kappa_tensors_w_per_mk,
        kappa_mean_diagonal_w_per_mk=run.result.kappa_mean_diagonal_w_per_mk,
        mesh=run.result.mesh,
        supercell_matrix=np.asarray(ph3.supercell_matrix).tolist(),
        phonon_supercell_matrix=None if psmat is None else np.asarray(psmat).tolist(),
        primitive_matrix=np.asarray(ph3.primitive_matrix).tolist(),
        n_atoms_supercell=len(ph3.supercell),
        n_supercells=run.n_supercells,
        n_phonon_supercells=run.n_phonon_supercells,
        settings=settings,
        reference=reference,
        relaxation=relaxation,
        force_constants=files,
        fc2_ev_per_ang2=np.asarray(ph3.fc2).tolist(),
        timings_s=run.timings_s,
        wall_time_s=wall_time_s,
        versions=software_versions(),
    )
