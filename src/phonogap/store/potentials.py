"""Application layer: fetch a fitted GAP from the store onto any machine, by its checksum.

A fit document (:class:`~phonogap.schemas.fit.GapFitDocument`) records the potential by the
absolute path of the machine that fitted it, its path relative to the fit's job directory
(``potential_relative_path``) and, in the data store, the text of the xml and its sparseX
files (``potential_files``). :func:`fetch_potential` finds the newest fit with a given
``potential_sha256`` and writes those files into a directory.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from phonogap.errors import PhonogapError
from phonogap.fitting.potential_files import potential_checksum

if TYPE_CHECKING:
    from jobflow import JobStore


class PotentialNotFoundError(PhonogapError, LookupError):
    """Raised when the store holds no potential files with the checksum asked for."""


def fetch_potential(store: JobStore, sha256: str, directory: str | Path) -> Path:
    """Write a stored potential's files into a directory and return its xml.

    Parameters
    ----------
    store
        A connected JobStore holding fit documents (``fit_gap``, ``fit_extended_gap``).
    sha256
        The potential's ``potential_sha256``.
    directory
        Where to write the xml and its sparseX files (created).

    Returns
    -------
    Path
        The xml, for ``quippy.potential.Potential(param_filename=...)`` or
        :func:`phonogap.fitting.atomate2_forcefield.forcefield_kwargs`.

    Raises
    ------
    PotentialNotFoundError
        If no fit document with that checksum has its files in the store (fits made before
        the files were stored keep only the path).
    ValueError
        If the written files do not have the checksum (a corrupted store).
    """
    doc = store.query_one(
        {"output.potential_sha256": sha256, "output.potential_files": {"$exists": True}},
        properties=["uuid"],
        sort={"completed_at": -1},
    )
    output = None if doc is None else store.get_output(doc["uuid"], load=True)
    files = (output or {}).get("potential_files") or {}
    if not files:
        raise PotentialNotFoundError(
            f"no fit with potential_sha256 {sha256} has its files in the store; check the "
            "checksum (phonogap results --format json shows fit.potential_sha256) or copy "
            "the potential_xml path of the fit by hand"
        )
    names = list(files)
    relative = PurePosixPath(output.get("potential_relative_path") or names[0])
    folder = Path(directory).expanduser().resolve() / Path(*relative.parent.parts)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    xml = folder / names[0]
    found = potential_checksum(xml)
    if found != sha256:
        raise ValueError(f"files written to {folder} have checksum {found}, expected {sha256}")
    return xml
