"""The files of a GAP potential: the xml, its sparseX files, their checksum and sparse counts."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path


def _sparse_names(xml_path: Path) -> list[str]:
    text = xml_path.read_text(errors="replace")
    return re.findall(r'sparseX_filename="([^"]+)"', text)


def sparse_points_used(xml_path: Path) -> dict[str, int]:
    """Read back how many sparse points each descriptor of a potential really has.

    gap_fit silently lowers ``n_sparse`` to the number of distinct environments in the data
    (1,964 for the 13 CASTEP allotropes, 784 for phono3py's Si-PBE cells), so the requested
    M is not always the M of the model.

    Parameters
    ----------
    xml_path
        A GAP potential xml written by gap_fit.

    Returns
    -------
    dict
        Descriptor name (``soap``, ``distance_2b``, ...) to its ``n_sparseX``, in the order
        of the xml; a name that repeats gets a ``_2``, ``_3`` ... suffix.
    """
    text = Path(xml_path).read_text(errors="replace")
    names = [found.split()[0] for found in re.findall(r"<descriptor>\s*([^<]+)", text)]
    counts = [int(n) for n in re.findall(r'<gpCoordinates [^>]*n_sparseX="(\d+)"', text)]
    used: dict[str, int] = {}
    for name, count in zip(names, counts, strict=False):
        key, index = name, 2
        while key in used:
            key, index = f"{name}_{index}", index + 1
        used[key] = count
    return used


def potential_files(xml_path: Path) -> list[Path]:
    """Return the xml and the sparseX files it refers to, in the order it lists them.

    Parameters
    ----------
    xml_path
        A GAP potential xml written by gap_fit.

    Returns
    -------
    list[Path]
        ``[xml_path, sparseX_1, sparseX_2, ...]`` (sparseX files are resolved
        relative to the xml's directory).
    """
    xml_path = Path(xml_path)
    return [xml_path, *(xml_path.parent / Path(name).name for name in _sparse_names(xml_path))]


def potential_checksum(xml_path: Path, *, ignore_label: bool = False) -> str:
    """Return a SHA-256 checksum of a GAP potential: its xml and all its sparseX files.

    Parameters
    ----------
    xml_path
        The potential xml; its sparseX files must be next to it.
    ignore_label
        gap_fit names every potential with a time-stamped label (the xml root
        tag, e.g. ``GAP_2026_11_24_0_4_22_39_781``) that also appears in the
        sparseX file names, so two fits of the same data differ byte for byte.
        With True the label is replaced by a fixed string in the xml and the
        sparseX file names are left out: two fits with the same data,
        hyperparameters and ``rnd_seed`` then give the same checksum.

    Returns
    -------
    str
        Hex digest of SHA-256 over, in this order: for each file in
        :func:`potential_files` order (the xml, then the sparseX files in the
        order the xml lists them), its file name, a NUL byte, its size in bytes
        as decimal text, a NUL byte, and its bytes. With ``ignore_label`` the
        names are omitted and the xml bytes are those after label replacement.

    Raises
    ------
    FileNotFoundError
        If the xml or one of its sparseX files is missing.
    """
    files = potential_files(Path(xml_path))
    for path in files:
        if not path.is_file():
            raise FileNotFoundError(f"GAP potential file {path} is missing")
    digest = hashlib.sha256()
    label = None
    if ignore_label:
        head = files[0].read_bytes()[:4096].decode(errors="replace")
        match = re.search(r"<\s*([A-Za-z_][\w.\-]*)", head)
        label = match.group(1).encode() if match else None
    for index, path in enumerate(files):
        data = path.read_bytes()
        if index == 0 and label:
            data = data.replace(label, b"GAP_LABEL")
        if not ignore_label:
            digest.update(path.name.encode() + b"\0")
        digest.update(str(len(data)).encode() + b"\0")
        digest.update(data)
    return digest.hexdigest()
