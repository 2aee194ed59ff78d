"""Provenance recorded in every output document."""

from __future__ import annotations

import hashlib
import json
import platform
from importlib.metadata import PackageNotFoundError, version
from typing import Any

CORE_PACKAGES = (
    "phonogap",
    "jobflow",
    "atomate2",
    "pymatgen",
    "ase",
    "phonopy",
    "phono3py",
    "quippy-ase",
    "maggma",
)


def package_versions(names: tuple[str, ...]) -> dict[str, str]:
    """Look up installed versions of distributions.

    Parameters
    ----------
    names
        Distribution names, e.g. ``("ase", "quippy-ase")``.

    Returns
    -------
    dict
        Name to version; ``"not installed"`` when a distribution is missing.
    """
    found = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def software_versions() -> dict[str, str]:
    """Versions of Python and the packages phonogap results depend on.

    Returns
    -------
    dict
        Distribution name to version, plus ``python``.
    """
    versions = package_versions(CORE_PACKAGES)
    versions["python"] = platform.python_version()
    return versions


def checksum_of(payload: Any) -> str:
    """SHA-256 of a JSON-serialisable payload (keys sorted), for input checksums.

    Parameters
    ----------
    payload
        Anything ``json.dumps`` accepts with ``default=str``.

    Returns
    -------
    str
        Hex digest.
    """
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
