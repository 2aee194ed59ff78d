"""Reuse a potential's sparse points as gap_fit input (``sparse_method=file``).

An MPI (ScaLAPACK) ``gap_fit`` selects sparse points on its first rank from data gathered
from all ranks, and some methods (``cluster``, ``covariance``, ``cur_covariance``,
``index_file``) are not implemented for MPI at all. GAP's documented route is to choose the
sparse points in a serial run (``sparsify_only_no_fit=T``), convert its sparseX files to
input files (one line with the sparse point's cutoff, then its descriptor vector), and fit in
parallel with ``sparse_method=file sparse_file=...``. :func:`write_sparse_inputs` does the
conversion and :func:`gap_string_with_sparse_files` the change of the ``gap`` argument.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "SPARSE_INPUT_SUFFIX",
    "SparseInput",
    "gap_string_with_sparse_files",
    "write_sparse_inputs",
]

SPARSE_INPUT_SUFFIX = ".input"
"""Appended to a sparseX file's name for its ``sparse_file`` input."""


class SparseInput(NamedTuple):
    """One descriptor's sparse points as a gap_fit ``sparse_file``."""

    path: Path
    """The input file."""
    n_sparse: int
    """How many sparse points it holds (gap_fit requires ``n_sparse`` to match)."""


def write_sparse_inputs(xml_path: Path, out_dir: Path | None = None) -> list[SparseInput]:
    """Write one ``sparse_file`` input per descriptor of a potential.

    Parameters
    ----------
    xml_path
        A GAP potential written by gap_fit with ``sparse_separate_file=T`` (phonogap's
        default); its sparseX files must be next to it.
    out_dir
        Where to write the inputs (created if missing; default: next to the sparseX files).

    Returns
    -------
    list[SparseInput]
        The input files and their numbers of sparse points, in the order of the descriptors
        in the xml (the order of the ``gap={...}`` descriptors of the fit).

    Raises
    ------
    ValueError
        If the xml has no sparse points in separate files, or a sparseX file does not hold
        ``n_sparseX * dimensions`` numbers.
    """
    xml_path = Path(xml_path)
    root = ET.parse(xml_path).getroot()
    coordinates = root.findall("GAP_params/gpSparse/gpCoordinates")
    if not coordinates:
        raise ValueError(f"{xml_path} holds no gpCoordinates: is it a GAP potential?")
    if out_dir is not None:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
    written = []
    for coordinate in coordinates:
        name = coordinate.get("sparseX_filename")
        if not name:
            raise ValueError(
                f"{xml_path} keeps its sparse points inline; refit with sparse_separate_file=T"
            )
        dimensions = int(coordinate.attrib["dimensions"])
        cutoffs = [entry.attrib["sparseCutoff"] for entry in coordinate.findall("sparseX")]
        source = xml_path.parent / Path(name).name
        values = source.read_text().split()
        if len(values) != len(cutoffs) * dimensions:
            raise ValueError(
                f"{source} holds {len(values)} numbers, not n_sparseX * dimensions = "
                f"{len(cutoffs)} * {dimensions}"
            )
        lines = []
        for index, cutoff in enumerate(cutoffs):
            lines.append(cutoff)
            lines.extend(values[index * dimensions : (index + 1) * dimensions])
        target = Path(out_dir or source.parent) / (source.name + SPARSE_INPUT_SUFFIX)
        target.write_text("\n".join(lines) + "\n")
        written.append(SparseInput(target, len(cutoffs)))
    return written


_SPARSE_METHOD = re.compile(r"\bsparse_method=\S+")
_N_SPARSE = re.compile(r"\bn_sparse=\S+")


def gap_string_with_sparse_files(
    gap: str, inputs: Sequence[SparseInput], relative_to: Path | None = None
) -> str:
    """Return a ``gap={...}`` descriptor string that reads its sparse points from files.

    Parameters
    ----------
    gap
        The value of gap_fit's ``gap`` argument: descriptors separated by ``:``, each
        with a ``sparse_method=``.
    inputs
        One sparse input per descriptor, in the same order (:func:`write_sparse_inputs`).
    relative_to
        Write the file names relative to this directory (where gap_fit runs); default:
        the paths as given. gap_fit splits values at commas and spaces, so the names must
        have neither.

    Returns
    -------
    str
        The string with each ``sparse_method=...`` replaced by
        ``sparse_method=file sparse_file=NAME`` and each ``n_sparse`` set to the file's
        number of points (gap_fit lowers a requested M to the distinct environments, and
        aborts if ``n_sparse`` and the file disagree).

    Raises
    ------
    ValueError
        If the number of descriptors and files differ, a descriptor has no
        ``sparse_method``, or a file name has a comma or a space.
    """
    braces = gap.startswith("{") and gap.endswith("}")
    descriptors = (gap[1:-1] if braces else gap).split(":")
    if len(descriptors) != len(inputs):
        raise ValueError(
            f"{len(descriptors)} descriptors in the gap string but {len(inputs)} sparse files"
        )
    changed = []
    for descriptor, (path, n_sparse) in zip(descriptors, inputs, strict=True):
        name = os.path.relpath(path, relative_to) if relative_to is not None else str(path)
        if "," in name or " " in name:
            raise ValueError(f"sparse file name {name!r} has a comma or space; gap_fit splits it")
        if not _SPARSE_METHOD.search(descriptor):
            raise ValueError(f"descriptor {descriptor.strip()!r} has no sparse_method")
        descriptor = _SPARSE_METHOD.sub(f"sparse_method=file sparse_file={name}", descriptor)
        if _N_SPARSE.search(descriptor):
            descriptor = _N_SPARSE.sub(f"n_sparse={n_sparse}", descriptor)
        else:
            descriptor = f"{descriptor.rstrip()} n_sparse={n_sparse}"
        changed.append(descriptor)
    joined = ":".join(changed)
    return "{" + joined + "}" if braces else joined
