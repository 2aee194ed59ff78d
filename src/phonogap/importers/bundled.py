"""Reference datasets shipped inside phonogap, addressable by name.

The package data under ``phonogap/data/`` holds public DFT datasets (all BSD-3-Clause; each set
has its ``LICENSE`` and ``PROVENANCE.md``). This module names them, so workflow files and
scripts can write ``{bundled: george2020_castep, structures: stable}`` instead of a path that
only exists on one machine::

    >>> from phonogap.importers.bundled import bundled_path, expand_bundled
    >>> bundled_path("mlearn_si_train").name
    'training.json'
    >>> len(expand_bundled("george2020_castep", structures="stable"))
    13

Pure: no jobflow, no importer is run; :func:`expand_bundled` only returns what
:class:`phonogap.importers.jobs.DatasetSpec` needs (importer, absolute path, options, name,
Materials Project id) for each file.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from phonogap.errors import PhonogapError

__all__ = [
    "BundledDataset",
    "BundledInput",
    "UnknownBundledDatasetError",
    "available_bundled",
    "bundled_data_dir",
    "bundled_data_root",
    "bundled_dataset",
    "bundled_path",
    "bundled_structures",
    "expand_bundled",
]

STRUCTURE_SELECTIONS = ("all", "stable")
"""Selections of a multi-structure set besides a list of names: every file, or the stable ones."""


class UnknownBundledDatasetError(PhonogapError, ValueError):
    """Raised for a bundled dataset name that is not registered (lists the valid names)."""


@dataclass(frozen=True)
class BundledInput:
    """What one importer reads from a bundled dataset.

    Attributes
    ----------
    path
        File or directory relative to the dataset's folder (``"."``: the folder itself). For
        multi-structure sets a template with ``{index}``, the row's index in the structure index.
    file_options
        Importer options whose values are file names relative to the dataset's folder (they
        are passed as absolute paths).
    """

    path: str
    file_options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BundledDataset:
    """A named dataset inside ``phonogap/data``.

    Attributes
    ----------
    name
        The name workflow files use (``bundled: <name>``).
    folder
        Folder relative to ``phonogap/data``; its first component holds ``LICENSE`` and
        ``PROVENANCE.md``.
    inputs
        Importer name to what it reads; the first importer is the default.
    description
        One line: what the data are.
    default_name
        Structure name (the importer's ``source``) when the workflow gives none; ``None``
        keeps the importer's default.
    structure_index
        Multi-structure sets only: CSV (relative to ``folder``) with columns ``index``,
        ``mp_id(per upstream script)`` and ``in_13_dyn_stable_set``; one file per row.
    """

    name: str
    folder: str
    inputs: dict[str, BundledInput]
    description: str
    default_name: str | None = None
    structure_index: str | None = None

    @property
    def default_importer(self) -> str:
        """Return the importer used when the workflow names none."""
        return next(iter(self.inputs))

    @property
    def licence_dir(self) -> Path:
        """Return the folder holding this set's ``LICENSE`` and ``PROVENANCE.md``."""
        return bundled_data_root() / Path(self.folder).parts[0]


def _si(functional: str) -> BundledDataset:
    label = {"pbe": "PBE", "pbesol": "PBEsol", "lda": "LDA"}[functional]
    inputs = {
        "phono3py": BundledInput("."),
        "vasprun": BundledInput("vasprun_xmls.tar.lzma"),
    }
    if functional == "pbe":
        inputs["extxyz"] = BundledInput("si_pbe_phono3py_fc3_disp.extxyz")
    return BundledDataset(
        name=f"phono3py_si_{functional}",
        folder=f"phono3py_si/Si-{label}",
        inputs=inputs,
        description=f"diamond Si, VASP {label}: 111 fc3 pair-displacement supercells of 64 atoms "
        "(phono3py example)",
        default_name=f"Si-{label}",
    )


_REGISTRY: dict[str, BundledDataset] = {
    entry.name: entry
    for entry in (
        BundledDataset(
            name="george2020_castep",
            folder="george2020_castep_phonons",
            inputs={"phonopy": BundledInput("phonopy_yaml/{index}_phonopy.yaml")},
            description="CASTEP single-displacement phonopy datasets of 26 Si structures "
            "(George et al. 2020; 13 dynamically stable allotropes), forces only",
            structure_index="structure_index.csv",
        ),
        _si("pbe"),
        _si("pbesol"),
        _si("lda"),
        BundledDataset(
            name="mlearn_si_train",
            folder="mlearn_si",
            inputs={"mlearn": BundledInput("training.json")},
            description="mlearn Si training set (VASP PBE, 214 structures: AIMD, vacancies, "
            "strained cells, surfaces) with energies, forces and stresses",
        ),
        BundledDataset(
            name="mlearn_si_test",
            folder="mlearn_si",
            inputs={"mlearn": BundledInput("test.json")},
            description="mlearn Si test set (VASP PBE, 25 structures)",
        ),
        BundledDataset(
            name="phono3py_aln_lda",
            folder="phono3py_binaries/AlN-LDA",
            inputs={
                "phono3py": BundledInput(
                    "phono3py_disp.yaml", file_options={"forces_fc3": "FORCES_FC3.xz"}
                )
            },
            description="wurtzite AlN, VASP LDA: 1,254 fc3 supercells of 72 atoms, forces only "
            "(phono3py example; NAC parameters in BORN)",
            default_name="AlN-LDA",
        ),
        BundledDataset(
            name="phono3py_nacl",
            folder="phono3py_binaries/NaCl-rd",
            inputs={
                "phono3py": BundledInput("phono3py_params_NaCl.yaml.xz"),
                "vasprun": BundledInput("vasprun_xmls.tar.xz"),
            },
            description="rocksalt NaCl, VASP: 100 random-displacement fc3 supercells of 64 atoms "
            "and 2 fc2 supercells, energies and forces (phono3py example)",
            default_name="NaCl",
        ),
    )
}


def bundled_data_root() -> Path:
    """Return the directory of phonogap's package data (``phonogap/data``).

    Returns
    -------
    Path
        An existing directory.

    Raises
    ------
    FileNotFoundError
        If the package data is not on the file system (e.g. phonogap imported from a zip).
    """
    root = Path(str(files("phonogap") / "data"))
    if not root.is_dir():
        raise FileNotFoundError(
            f"phonogap's package data is not a directory at {root}; install phonogap from a "
            "wheel or a source checkout (python3 -m pip install phonogap), not from a zip"
        )
    return root


def available_bundled() -> list[str]:
    """Return the names of the bundled datasets, sorted.

    Returns
    -------
    list of str
        Names accepted by :func:`bundled_dataset` and ``bundled:`` in workflow files.
    """
    return sorted(_REGISTRY)


def bundled_dataset(name: str) -> BundledDataset:
    """Return the registry entry of a bundled dataset.

    Parameters
    ----------
    name
        A name from :func:`available_bundled`.

    Returns
    -------
    BundledDataset
        Its folder, importers and description.

    Raises
    ------
    UnknownBundledDatasetError
        Naming the unknown name and listing the valid ones.
    """
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownBundledDatasetError(
            f"no bundled dataset named {name!r}; valid names: {', '.join(available_bundled())}"
        ) from None


def bundled_data_dir(name: str) -> Path:
    """Return the folder of a bundled dataset.

    Parameters
    ----------
    name
        A name from :func:`available_bundled`.

    Returns
    -------
    Path
        Absolute path, e.g. ``.../phonogap/data/phono3py_si/Si-PBE``.
    """
    return bundled_data_root() / bundled_dataset(name).folder


def bundled_path(name: str, importer: str | None = None) -> Path:
    """Return the file or directory an importer reads from a single-file bundled dataset.

    Parameters
    ----------
    name
        A name from :func:`available_bundled` (not a multi-structure set).
    importer
        One of the dataset's importers (default: its first).

    Returns
    -------
    Path
        Absolute path.

    Raises
    ------
    ValueError
        For a multi-structure set (use :func:`expand_bundled`) or an importer the set does
        not offer.
    """
    dataset = bundled_dataset(name)
    if dataset.structure_index is not None:
        raise ValueError(
            f"bundled dataset {name!r} holds one file per structure; use expand_bundled({name!r}, "
            "structures=...) to get them"
        )
    return (bundled_data_dir(name) / _input(dataset, importer).path).resolve()


def bundled_structures(name: str) -> list[dict[str, Any]]:
    """Return the rows of a multi-structure set's index: one per file.

    Parameters
    ----------
    name
        A multi-structure set, e.g. ``"george2020_castep"``.

    Returns
    -------
    list of dict
        In index order: ``name`` (the Materials Project id, or ``<index>_unstable`` for
        structures without one), ``index``, ``mp_id`` (or ``None``) and ``stable``.
    """
    dataset = bundled_dataset(name)
    if dataset.structure_index is None:
        raise ValueError(f"bundled dataset {name!r} is a single dataset, not one per structure")
    index_file = bundled_data_dir(name) / dataset.structure_index
    with open(index_file, newline="") as handle:
        rows = list(csv.DictReader(handle))
    structures = []
    for row in rows:
        mp_id = row["mp_id(per upstream script)"].strip() or None
        stable = row["in_13_dyn_stable_set"].strip() == "True"
        label = mp_id or f"{row['index']}_{'stable' if stable else 'unstable'}"
        structures.append({"name": label, "index": row["index"], "mp_id": mp_id, "stable": stable})
    return structures


def expand_bundled(
    name: str,
    *,
    importer: str | None = None,
    structures: str | list[str] | None = None,
    options: dict[str, Any] | None = None,
    source: str | None = None,
    mp_id: str | None = None,
) -> list[dict[str, Any]]:
    """Expand a named bundled dataset into one import entry per file.

    Parameters
    ----------
    name
        A name from :func:`available_bundled`.
    importer
        One of the set's importers (default: its first).
    structures
        Multi-structure sets only (and required there): ``"all"``, ``"stable"`` or a list of
        structure names (Materials Project ids, or ``<index>_unstable``; see
        :func:`bundled_structures`).
    options
        Importer options; they override the set's own (e.g. its force-file names).
    source, mp_id
        Single-file sets only: structure name (default: the set's) and Materials Project id.

    Returns
    -------
    list of dict
        Each with ``importer``, ``path`` (absolute), ``options``, ``name`` and ``mp_id``, the
        fields of a ``DatasetSpec`` with a path.

    Raises
    ------
    UnknownBundledDatasetError
        For an unknown name.
    ValueError
        For an importer the set does not offer, a missing or unknown structure selection,
        or ``source``/``mp_id`` given for a multi-structure set; the message lists what is
        valid.
    """
    dataset = bundled_dataset(name)
    chosen = _input(dataset, importer)
    importer = importer or dataset.default_importer
    folder = bundled_data_dir(name)
    merged = {key: str(folder / value) for key, value in chosen.file_options.items()}
    merged.update(options or {})
    if dataset.structure_index is None:
        if structures is not None:
            raise ValueError(
                f"bundled dataset {name!r} is one dataset, so 'structures' does not apply; "
                f"remove it (sets with one file per structure: {', '.join(_multi())})"
            )
        entry = {
            "importer": importer,
            "path": str((folder / chosen.path).resolve()),
            "options": merged,
            "name": source or dataset.default_name,
            "mp_id": mp_id,
        }
        return [entry]
    if source is not None or mp_id is not None:
        raise ValueError(
            f"bundled dataset {name!r} names each structure from its "
            f"{dataset.structure_index}; remove 'name' and 'mp_id'"
        )
    return [
        {
            "importer": importer,
            "path": str(folder / chosen.path.format(index=row["index"])),
            "options": dict(merged),
            "name": row["name"],
            "mp_id": row["mp_id"],
        }
        for row in _select(name, structures)
    ]


def _input(dataset: BundledDataset, importer: str | None) -> BundledInput:
    if importer is None:
        return dataset.inputs[dataset.default_importer]
    if importer not in dataset.inputs:
        raise ValueError(
            f"bundled dataset {dataset.name!r} has no input for importer {importer!r}; "
            f"use one of {', '.join(dataset.inputs)} (or omit 'importer')"
        )
    return dataset.inputs[importer]


def _select(name: str, structures: str | list[str] | None) -> list[dict[str, Any]]:
    rows = bundled_structures(name)
    valid = ", ".join(row["name"] for row in rows)
    if structures is None:
        raise ValueError(
            f"bundled dataset {name!r} holds one file per structure; add 'structures: stable', "
            f"'structures: all' or a list of names ({valid})"
        )
    if isinstance(structures, str):
        if structures not in STRUCTURE_SELECTIONS:
            raise ValueError(
                f"structures {structures!r} of bundled dataset {name!r} is not valid; write "
                f"'stable', 'all' or a list of names ({valid})"
            )
        return [row for row in rows if structures == "all" or row["stable"]]
    by_name = {row["name"]: row for row in rows}
    unknown = [s for s in structures if s not in by_name]
    if unknown:
        raise ValueError(
            f"bundled dataset {name!r} has no structure {', '.join(map(repr, unknown))}; "
            f"valid names: {valid}"
        )
    duplicates = sorted({s for s in structures if structures.count(s) > 1})
    if duplicates:
        raise ValueError(f"structures of bundled dataset {name!r} repeat {duplicates}")
    if not structures:
        raise ValueError(f"structures of bundled dataset {name!r} is an empty list")
    return [by_name[s] for s in structures]


def _multi() -> list[str]:
    return [name for name, entry in sorted(_REGISTRY.items()) if entry.structure_index]
