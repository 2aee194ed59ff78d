"""Provenance recorded in every output document: software versions and SHA-256 checksums.

The one place phonogap computes versions and checksums (the GAP potential's checksum in
:mod:`phonogap.fitting.gap_fit_run` frames several files and is defined there). Imports
nothing from phonogap, so every science package can use it.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

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

_BLOCK_BYTES = 1 << 20


def package_versions(*names: str) -> dict[str, str]:
    """Look up installed versions of distributions.

    Parameters
    ----------
    *names
        Distribution names, e.g. ``"ase", "quippy-ase"``.

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
    versions = package_versions(*CORE_PACKAGES)
    versions["python"] = platform.python_version()
    return versions


def sha256_hex(data: bytes | str) -> str:
    """SHA-256 of bytes, or of text encoded as UTF-8.

    Parameters
    ----------
    data
        What to hash.

    Returns
    -------
    str
        Hex digest (64 characters).
    """
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes, read in blocks (large force-constant files fit).

    Parameters
    ----------
    path
        File to hash.

    Returns
    -------
    str
        Hex digest, as ``sha256sum`` prints it.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK_BYTES), b""):
            digest.update(block)
    return digest.hexdigest()


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
    return sha256_hex(json.dumps(payload, sort_keys=True, default=str))


class ReferenceProvenance(BaseModel):
    """Where the labels (or forces) of a document came from: backend, settings, versions.

    What :meth:`phonogap.reference.base.Reference.provenance` returns. Sources that are not a
    live reference add their own keys, kept as pydantic extra fields so no data is dropped and
    ``model_dump()`` returns exactly the dict that was stored:

    * imported training data (``backend: imported``): ``importer``, ``files`` (paths, sizes,
      SHA-256), ``datasets`` (one such record per imported dataset), ``units``, ...;
    * an imported phono3py dataset (kappa): ``files`` and ``sha256`` (file role to path and
      checksum);
    * a fitted potential used as force source (kappa): ``potential_sha256`` and ``f``.

    ``settings`` and ``versions`` are left out of ``model_dump()`` when they were not given
    (imported data has none), so stored documents keep their shape.
    """

    model_config = ConfigDict(extra="allow")

    backend: str = Field(description="Registry name of the backend, or 'imported'")
    settings: dict[str, Any] = Field(
        default_factory=dict,
        description="The backend's own settings (free-form: each backend has its fields)",
    )
    versions: dict[str, str] = Field(
        default_factory=dict, description="Versions of the packages behind the backend"
    )

    @model_validator(mode="before")
    @classmethod
    def _drop_serialisation_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not str(k).startswith("@")}
        return data

    @model_serializer(mode="wrap")
    def _omit_unset(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        for key in ("settings", "versions"):
            if key not in self.model_fields_set:
                data.pop(key, None)
        return data

    @property
    def extra(self) -> dict[str, Any]:
        """Keys beyond backend/settings/versions (files, checksums, potential sha256, f).

        Returns
        -------
        dict
            The extra fields, as stored.
        """
        return dict(self.model_extra or {})
