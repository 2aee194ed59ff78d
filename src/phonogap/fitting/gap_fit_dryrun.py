"""gap_fit's own sizes of a fit: run it with ``dryrun=T`` and read its ``Memory Estimate``.

``dryrun=T`` makes gap_fit compute the descriptors' sizes and the number of training targets
and stop before the large allocations (seconds). :func:`gap_fit_dryrun` runs it,
:func:`parse_dryrun` reads the log, and :func:`fit_size_from_dryrun` turns it into the
:class:`~phonogap.fitting.memory_model.FitSize` the memory model estimates from.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from phonogap.fitting.memory_model import DescriptorSize, FitSize, count_targets

if TYPE_CHECKING:
    from ase import Atoms

__all__ = ["fit_size_from_dryrun", "gap_fit_dryrun", "parse_dryrun"]

_DESCRIPTOR_LINE = re.compile(r"Descriptor\s+(\d+)\s+::\s+(x|xPrime)\s+(\d+)\s+(\d+)\s+memory")
_COVARIANCE_LINE = re.compile(r"^\s*yY\s+(\d+)\s+(\d+)\s+memory", re.MULTILINE)
_NAME_LINE = re.compile(r"^Descriptor\s+(\d+):\s+(\S+)", re.MULTILINE)
_SPARSE_PER_DESCRIPTOR = re.compile(r"n_sparse=(\d+)|config_type_n_sparse=\{([^}]*)\}")


def parse_dryrun(log: str) -> tuple[list[DescriptorSize], int]:
    """Read the descriptor counts from gap_fit's ``Memory Estimate`` (``dryrun=T``).

    Parameters
    ----------
    log
        gap_fit's output.

    Returns
    -------
    tuple
        The descriptors (dimension, sparse points, vectors, derivative entries) and N_t, the
        targets gap_fit found. gap_fit prints M only in total; the descriptors before the last
        get the M they ask for (at most their vectors), the last (SOAP) the rest.

    Raises
    ------
    ValueError
        If the log holds no memory estimate (gap_fit failed before it, or is too old).
    """
    entries: dict[int, dict[str, int]] = {}
    for index, kind, dimension, count in _DESCRIPTOR_LINE.findall(log):
        entry = entries.setdefault(int(index), {"dimension": int(dimension)})
        entry["n_descriptors" if kind == "x" else "n_derivatives"] = int(count)
    covariance = _COVARIANCE_LINE.search(log)
    if not entries or covariance is None:
        raise ValueError("gap_fit printed no memory estimate (see its log)")
    names = dict(_NAME_LINE.findall(log))
    total_sparse, n_targets = int(covariance.group(1)), int(covariance.group(2))
    descriptors = [
        DescriptorSize(name=names.get(str(index), f"descriptor_{index}"), n_sparse=0, **entry)
        for index, entry in sorted(entries.items())
    ]
    requested = [_requested_sparse(line) for line in _descriptor_strings(log, len(descriptors))]
    for descriptor, wanted in zip(descriptors[:-1], requested[:-1], strict=False):
        descriptor.n_sparse = min(wanted, descriptor.n_descriptors)
    # gap_fit lowers M to the descriptors available; its estimate uses the M asked for
    rest = total_sparse - sum(d.n_sparse for d in descriptors[:-1])
    descriptors[-1].n_sparse = min(rest, descriptors[-1].n_descriptors)
    return descriptors, n_targets


def fit_size_from_dryrun(
    log: str, configurations: Sequence[Atoms], has_virials: bool = True
) -> FitSize:
    """Combine gap_fit's descriptor counts with the targets counted in the configurations.

    Parameters
    ----------
    log
        gap_fit's ``dryrun=T`` output.
    configurations
        The training configurations (with their labels, or placeholders of the same shape).
    has_virials
        Whether virials are fitted.

    Returns
    -------
    FitSize
        The fit's size; the targets agree with gap_fit's N_t (checked).

    Raises
    ------
    ValueError
        If gap_fit found a different number of targets.
    """
    descriptors, n_targets = parse_dryrun(log)
    energies, forces, virials = count_targets(configurations, has_virials)
    if energies + forces + virials != n_targets:
        raise ValueError(
            f"gap_fit found {n_targets} targets, the configurations hold "
            f"{energies + forces + virials} ({energies} energies, {forces} force components, "
            f"{virials} virial components)"
        )
    n_atoms = sum(len(atoms) for atoms in configurations)
    return FitSize(len(configurations), n_atoms, energies, forces, virials, descriptors)


def _descriptor_strings(log: str, count: int) -> list[str]:
    lines = [ln for ln in log.splitlines() if re.match(r"^Descriptor\s+\d+:", ln)]
    return lines[:count]


def _requested_sparse(line: str) -> int:
    match = _SPARSE_PER_DESCRIPTOR.search(line)
    if match is None:
        return 0
    if match.group(1):
        return int(match.group(1))
    values = match.group(2).split(":")[1::2]
    return sum(int(v) for v in values)


def gap_fit_dryrun(
    arguments: Sequence[str], workdir: Path, executable: str, timeout_s: float = 300.0
) -> tuple[tuple[list[DescriptorSize], int], str]:
    """Run gap_fit with ``dryrun=T`` (it stops before the large allocations) and read its sizes.

    Parameters
    ----------
    arguments
        The fit's argument list (:func:`~phonogap.fitting.gap_fit.gap_fit_arguments`).
    workdir
        Where the training file's relative path points; the log goes to ``dryrun.log``.
    executable
        The gap_fit binary (serial: the estimate is for one process).
    timeout_s
        Give up after this long.

    Returns
    -------
    tuple
        The descriptors and N_t (:func:`parse_dryrun`), and the log.

    Raises
    ------
    ValueError
        If gap_fit fails or prints no estimate.
    """
    from phonogap.processes import die_with_parent

    command = [executable, *arguments[1:], "dryrun=T"]
    result = subprocess.run(
        command,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        preexec_fn=die_with_parent(),
        check=False,
    )
    log = result.stdout + result.stderr
    (Path(workdir) / "dryrun.log").write_text(log)
    if result.returncode != 0:
        tail = "\n".join(log.strip().splitlines()[-5:])
        raise ValueError(f"gap_fit dryrun failed with status {result.returncode}: {tail}")
    return parse_dryrun(log), log
