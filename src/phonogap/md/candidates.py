"""Candidates of the melt–quench benchmark: fit documents, gap xml files or references."""

from __future__ import annotations

from typing import Any

from phonogap.reference.base import Reference
from phonogap.reference.gap import GapPotential
from phonogap.reference.registry import reference_from_spec
from phonogap.schemas.fit import GapFitDocument


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
    return reference, reference.provenance().model_dump()
