"""Import VASP ``vasprun.xml`` files: energy, forces and stress of each calculation.

Input: one ``vasprun.xml`` (``.gz``/``.bz2``/``.xz`` too), a directory (searched recursively,
sorted by path), a list of files, or a tar archive of them (``.tar.lzma`` as in phono3py's
examples, ``.tar.xz``, ``.tar.gz``, ``.tar``), extracted with :mod:`tarfile`/:mod:`lzma` into a
temporary directory. Parsing uses pymatgen's ``Vasprun`` (no DOS, eigenvalues or POTCAR).

Conventions (checked on ``phono3py_si/Si-PBE``: for the 111 vasprun.xml files, energies and
forces equal those of the shipped ``si_pbe_phono3py_fc3_disp.extxyz`` exactly, positions to
its 8 printed decimals, virials to 3.3e-8 eV, ASE having taken the upper triangle):

* ``REF_energy`` = ``e_fr_energy`` of the ionic step (eV): VASP's free energy ``TOTEN``, the
  energy whose derivatives the Hellmann-Feynman forces are. ``e_0_energy`` (σ→0
  extrapolation) is not consistent with the forces for smeared metals, and VASP 5.4 writes
  it as 0.0 in the final ``<calculation>`` block (as in the Si-PBE files). Option ``energy``
  selects ``e_wo_entrp`` or ``e_0_energy`` instead.
* ``REF_forces``: the ``forces`` varray (eV/Å), in POSCAR atom order.
* ``REF_virial`` (eV) from the ``stress`` varray, which VASP writes in kBar with positive =
  compressive (pressure-like; the ``in kB`` line of OUTCAR): ASE stress (eV/Å³, positive =
  tensile) ``= -stress_kbar * 0.1 GPa = -stress_kbar / 1602.1766``, symmetrised
  (``(s + sᵀ)/2``: the two triangles can differ in the last printed digit, 1e-8 kBar), and
  ``virial = -stress_ase * volume``. Absent when the run computed no stress (ISIF=0).
* Positions and cell of the ionic step (Å); ``source`` defaults to the name of the file's
  directory (``disp-00001``), ``config_type`` to ``"imported"``.
"""

from __future__ import annotations

import logging
import lzma
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ase import Atoms

from phonogap.importers.registry import (
    DatasetImportError,
    ImportedDataset,
    existing_file,
    file_record,
    label,
    register_importer,
)
from phonogap.reference.dft_common import KBAR_TO_EV_PER_ANG3, vasp_stress_to_virial
from phonogap.schemas.provenance import package_versions

__all__ = ["KBAR_TO_EV_PER_ANG3", "import_vasprun", "vasp_stress_to_virial"]

logger = logging.getLogger(__name__)

ENERGY_FIELDS = ("e_fr_energy", "e_wo_entrp", "e_0_energy")
ARCHIVE_SUFFIXES = (".tar.lzma", ".tar.xz", ".txz", ".tar.gz", ".tgz", ".tar.bz2", ".tar")


@register_importer("vasprun")
def import_vasprun(
    path: str | Path | Sequence[str | Path],
    *,
    config_type: str = "imported",
    source: str | None = None,
    ionic_steps: str = "last",
    energy: str = "e_fr_energy",
) -> ImportedDataset:
    """Import the labelled ionic steps of VASP runs.

    Parameters
    ----------
    path
        File, directory, archive or list of files (see the module docstring).
    config_type
        config_type of every configuration.
    source
        ``source`` of every configuration (default: each file's directory name).
    ionic_steps
        ``"last"`` (one configuration per file) or ``"all"`` (relaxation/MD trajectories).
    energy
        Energy field: ``"e_fr_energy"`` (default, consistent with forces), ``"e_wo_entrp"``
        or ``"e_0_energy"``.

    Returns
    -------
    ImportedDataset
        Configurations with energies, forces and (where computed) virials.
    """
    if ionic_steps not in ("last", "all"):
        raise DatasetImportError(f"ionic_steps must be 'last' or 'all', got {ionic_steps!r}")
    if energy not in ENERGY_FIELDS:
        raise DatasetImportError(f"energy must be one of {ENERGY_FIELDS}, got {energy!r}")
    options = {"config_type": config_type, "ionic_steps": ionic_steps, "energy": energy}
    with tempfile.TemporaryDirectory(prefix="phonogap_vasprun_") as tmp:
        files, records = _collect(path, Path(tmp))
        configurations = []
        for file, name in files:
            configurations += _read(file, name, config_type, source, ionic_steps, energy)
    provenance = {
        "importer": "vasprun",
        "files": records,
        "options": options,
        "conventions": {
            "energy": f"VASP {energy} (eV, total); e_fr_energy (TOTEN) is the energy the "
            "forces are derivatives of",
            "forces": "VASP forces (eV/Å)",
            "virial": "REF_virial = -stress_ase * V (eV); stress_ase = -0.1 GPa * "
            "stress_vasp(kBar, positive = compressive), symmetrised",
        },
        "versions": package_versions("phonogap", "ase", "pymatgen"),
    }
    return ImportedDataset(configurations, provenance)


def _collect(
    path: str | Path | Sequence[str | Path], tmp: Path
) -> tuple[list[tuple[Path, str]], list[dict[str, str]]]:
    """Return ``(file, display name)`` pairs in order and the provenance file records."""
    if isinstance(path, str | Path):
        path = existing_file(path, "vasprun input", "give a vasprun.xml, directory or archive")
        if path.is_dir():
            files = sorted(p for p in path.rglob("vasprun.xml*") if p.is_file())
            if not files:
                raise FileNotFoundError(
                    f"no vasprun.xml files under {str(path)!r}; give the right directory"
                )
            return [(f, str(f)) for f in files], [file_record(f) for f in files]
        if path.name.endswith(ARCHIVE_SUFFIXES):
            return _extract(path, tmp)
        return [(path, str(path))], [file_record(path)]
    files = [existing_file(p, "vasprun.xml", "fix the list of files") for p in path]
    return [(f, str(f)) for f in files], [file_record(f) for f in files]


def _extract(archive: Path, tmp: Path) -> tuple[list[tuple[Path, str]], list[dict[str, str]]]:
    if archive.name.endswith(".tar.lzma"):
        with lzma.open(archive) as stream, tarfile.open(fileobj=stream, mode="r|") as tar:
            tar.extractall(tmp, filter="data")
    else:
        with tarfile.open(archive, mode="r:*") as tar:
            tar.extractall(tmp, filter="data")
    members = sorted(p for p in tmp.rglob("vasprun.xml*") if p.is_file())
    if not members:
        raise DatasetImportError(f"archive {str(archive)!r} holds no vasprun.xml files")
    pairs = [(m, f"{archive}!{m.relative_to(tmp)}") for m in members]
    records = [file_record(archive)] + [file_record(m, n) for m, n in pairs]
    logger.info("extracted %d vasprun.xml files from %s", len(members), archive)
    return pairs, records


def _read(
    file: Path, name: str, config_type: str, source: str | None, ionic_steps: str, energy: str
) -> list[Atoms]:
    from pymatgen.io.vasp import Vasprun

    try:
        run = Vasprun(
            file,
            parse_dos=False,
            parse_eigen=False,
            parse_projected_eigen=False,
            parse_potcar_file=False,
        )
    except Exception as exc:
        raise DatasetImportError(
            f"{name}: not a readable vasprun.xml ({exc}); the run may have been cut short, "
            "rerun it or drop the file"
        ) from exc
    if not run.converged_electronic:
        logger.warning("%s: electronic SCF not converged in the last ionic step", name)
    steps = run.ionic_steps if ionic_steps == "all" else run.ionic_steps[-1:]
    first = len(run.ionic_steps) - len(steps)
    configurations = []
    for offset, step in enumerate(steps):
        index = first + offset
        where = name if ionic_steps == "last" else f"{name}: ionic step {index}"
        for field in ("structure", "forces"):
            if step.get(field) is None:
                raise DatasetImportError(
                    f"{where}: no {field!r} in the ionic step; rerun VASP so that it writes "
                    "them (a complete static or relaxation run) or drop the file"
                )
        value = step.get(energy)
        if value is None or (energy == "e_0_energy" and value == 0.0):
            raise DatasetImportError(
                f"{where}: {energy} is {value!r} (VASP 5.4 writes 0.0 in the final block); "
                "use energy='e_fr_energy', the energy consistent with the forces"
            )
        structure = step["structure"]
        atoms = Atoms(
            symbols=[site.specie.symbol for site in structure],
            positions=structure.cart_coords,
            cell=structure.lattice.matrix,
            pbc=True,
        )
        stress = step.get("stress")
        label(
            atoms,
            origin=where,
            config_type=config_type,
            source=source or file.parent.name or file.stem,
            energy=value,
            forces=step["forces"],
            virial=None if stress is None else vasp_stress_to_virial(stress, atoms.get_volume()),
        )
        atoms.info["ionic_step"] = index
        configurations.append(atoms)
    return configurations
