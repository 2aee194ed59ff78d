"""Where a kappa calculation gets its forces: a reference, a fitted potential or a dataset."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from phonogap.phonons.kappa_dataset import find_phono3py_files
from phonogap.reference.base import Reference
from phonogap.reference.gap import GapPotential
from phonogap.reference.registry import reference_from_spec
from phonogap.schemas.provenance import ReferenceProvenance, file_sha256
from phonogap.structures.relax import relax_structure

if TYPE_CHECKING:
    from pymatgen.core import Structure

    from phonogap.structures.settings import RelaxSettings

logger = logging.getLogger(__name__)

FIT_FIELDS = ("potential_xml", "potential_sha256", "f")
"""Fields of a fit document that identify the potential in provenance."""


def resolve_force_source(source: Any) -> tuple[Reference, ReferenceProvenance]:
    """Turn a reference spec or a fitted potential's document into a reference + provenance.

    Parameters
    ----------
    source
        A :class:`Reference`, a registry name or ``{"backend": ...}`` dict, or a
        :class:`~phonogap.schemas.fit.GapFitDocument` (object or dict with ``potential_xml``).

    Returns
    -------
    tuple
        The reference and its provenance (for a fit: plus potential checksum and f).
    """
    if isinstance(source, Reference):
        return source, source.provenance()
    if isinstance(source, dict):
        fit = source if "potential_xml" in source else None
    elif hasattr(source, "potential_xml"):
        fit = {key: getattr(source, key, None) for key in FIT_FIELDS}
    else:
        fit = None
    if fit is None:
        reference = reference_from_spec(source)
        return reference, reference.provenance()
    potential = GapPotential(xml_path=fit["potential_xml"])
    provenance = ReferenceProvenance(
        **potential.provenance().model_dump(),
        potential_sha256=fit.get("potential_sha256"),
        f=fit.get("f"),
    )
    return potential, provenance


def dataset_source(path: str | list[str]) -> tuple[Any, ReferenceProvenance, str]:
    """Resolve a phono3py dataset: the target for the loaders, its provenance, a label.

    Parameters
    ----------
    path
        Folder, or ``[yaml, FORCES_FC3(, FORCES_FC2)]`` (see
        :func:`~phonogap.phonons.kappa_dataset.find_phono3py_files`).

    Returns
    -------
    tuple
        The loaders' target, the provenance (``backend: imported``, files, their SHA-256)
        and a default name (the folder or yaml name).
    """
    target = tuple(path) if isinstance(path, list | tuple) else path
    files = find_phono3py_files(target)
    used = {k: v for k, v in vars(files).items() if v is not None}
    provenance = ReferenceProvenance(
        backend="imported",
        files={k: str(v) for k, v in used.items()},
        sha256={k: file_sha256(v) for k, v in used.items()},
    )
    default_name = files.yaml.parent.name if isinstance(target, str | Path) else files.yaml.stem
    return target, provenance, default_name


def relax_for_kappa(
    structure: Structure, reference: Reference, settings: RelaxSettings, name: str | None = None
) -> tuple[Structure, dict[str, Any]]:
    """Relax cell and positions with the force source before phono3py (the paper's protocol).

    Parameters
    ----------
    structure
        The crystal.
    reference
        The force source.
    settings
        Relaxation settings (with the volume and distance window).
    name
        Structure name for the guard's message (default: the reduced formula).

    Returns
    -------
    tuple
        The relaxed structure and a record of the relaxation for the document.

    Raises
    ------
    RelaxationCollapsedError
        If the relaxation leaves the window of ``settings``.
    """
    relaxed = relax_structure(
        structure,
        reference.calculator(),
        fmax=settings.fmax_ev_per_ang,
        max_steps=settings.max_steps,
        relax_cell=settings.relax_cell,
        guard=settings.guard(name or structure.composition.reduced_formula),
    )
    if not relaxed.converged:
        logger.warning("relaxation stopped at %.2e eV/Å", relaxed.max_force_ev_per_ang)
    record = {
        "converged": relaxed.converged,
        "n_steps": relaxed.n_steps,
        "max_force_ev_per_ang": relaxed.max_force_ev_per_ang,
        "max_stress_gpa": relaxed.max_stress_gpa,
        "volume_initial_ang3_per_atom": structure.volume / len(structure),
        "volume_relaxed_ang3_per_atom": relaxed.structure.volume / len(relaxed.structure),
        "settings": settings.model_dump(),
    }
    return relaxed.structure, record
