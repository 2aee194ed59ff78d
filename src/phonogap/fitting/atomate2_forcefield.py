"""Arguments for atomate2's force-field Makers, to use a fitted GAP in atomate2 workflows.

Science layer (pure; atomate2 is not imported). atomate2 (``atomate2.forcefields.utils``)
names GAP ``MLFF.GAP`` (value ``"GAP"``) and builds its calculator as
``quippy.potential.Potential(**calculator_kwargs)``, padding the kwargs with its defaults
``{"args_str": "IP GAP", "param_filename": "gap.xml"}``. :func:`forcefield_kwargs` gives the
same keys with the fitted potential's absolute xml path, e.g.::

    from atomate2.forcefields.jobs import ForceFieldStaticMaker

    maker = ForceFieldStaticMaker(**forcefield_kwargs(fit_document))
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from phonogap.schemas.fit import GapFitDocument

__all__ = ["GAP_FORCE_FIELD_NAME", "forcefield_kwargs"]

GAP_FORCE_FIELD_NAME = "GAP"
"""Value of atomate2's ``MLFF.GAP``."""

GAP_ARGS_STR = "IP GAP"
"""quippy init string of a GAP potential (atomate2's default ``args_str`` for GAP)."""


def forcefield_kwargs(fit: GapFitDocument | str | Path) -> dict[str, Any]:
    """Return ``force_field_name`` and ``calculator_kwargs`` for an atomate2 force-field Maker.

    Parameters
    ----------
    fit
        A fit document (its ``potential_xml`` is used) or the path of a GAP xml (its
        sparseX files next to it), e.g. from
        :func:`phonogap.store.potentials.fetch_potential`.

    Returns
    -------
    dict
        ``{"force_field_name": "GAP", "calculator_kwargs": {"args_str": "IP GAP",
        "param_filename": <absolute xml path>}}``, to unpack into
        ``ForceFieldStaticMaker``/``ForceFieldRelaxMaker`` (or any ``ForceFieldMixin``).

    Raises
    ------
    FileNotFoundError
        If the xml does not exist on this machine.
    """
    xml = Path(fit.potential_xml if isinstance(fit, GapFitDocument) else fit).expanduser()
    if not xml.is_file():
        raise FileNotFoundError(
            f"GAP potential {xml} not found on this machine; fetch it from the store with "
            "phonogap.store.potentials.fetch_potential(store, sha256, directory)"
        )
    return {
        "force_field_name": GAP_FORCE_FIELD_NAME,
        "calculator_kwargs": {"args_str": GAP_ARGS_STR, "param_filename": str(xml.resolve())},
    }
