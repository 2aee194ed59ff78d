"""Quantum ESPRESSO (pw.x) through ASE's ``Espresso`` calculator: the local DFT reference.

Settings that matter for phonons from 0.01 Å displacements (restoring forces of ~0.14 eV/Å in
silicon) are explicit fields: plane-wave cutoff, one k-point spacing for every cell, an SCF
threshold per atom tight enough for 1e-4 eV/Å forces, smearing only when asked (metals).
Forces and stress are always printed (``tprnfor``, ``tstress``), so one pw.x run gives every
label. The free atom that sets gap_fit's ``e0`` is spin-polarised with its Hund's-rule moment.

Measured with QE 6.7 (Debian) on one core: 8-atom Si, 4x4x4 k, 22 Ry: 15 s; a 0.01 Å
displacement gives -0.1366 eV/Å on the displaced atom; the spin-polarised Si atom in a 20 Å box
at Γ: 18 s.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from ase.calculators.espresso import Espresso
from pydantic import Field, field_validator

from phonogap.reference.base import Reference
from phonogap.reference.dft_common import (
    HUND_MOMENTS,
    atom_moment,
    default_scratch_dir,
    is_isolated_atom,
    monkhorst_pack_grid,
)
from phonogap.reference.qe_calculator import CheckedEspresso
from phonogap.reference.registry import register_reference

if TYPE_CHECKING:
    from ase import Atoms

logger = logging.getLogger(__name__)

DEBIAN_PSEUDO_DIR = "/usr/share/espresso/pseudo"
"""Where Debian's ``quantum-espresso-data`` puts its pseudopotentials."""


def _default_pseudo_dir() -> str:
    return os.environ.get("ESPRESSO_PSEUDO", DEBIAN_PSEUDO_DIR)


@register_reference
class QuantumEspressoReference(Reference):
    """Label configurations with Quantum ESPRESSO's pw.x.

    Examples
    --------
    In a workflow file::

        reference: {backend: qe, ecutwfc_ry: 22, kspacing_inv_ang: 0.3, mpi_processes: 2}
    """

    backend: ClassVar[str] = "qe"
    cheap: ClassVar[bool] = False
    run_options: ClassVar[frozenset[str]] = frozenset(
        {
            "command",
            "mpi_processes",
            "mpi_command",
            "pseudo_dir",
            "scratch_dir",
            "mixing_beta",
            "electron_maxstep",
        }
    )
    """Fields that change how or where pw.x runs, not the converged labels (not hashed)."""
    install_hint: ClassVar[str] = (
        "install Quantum ESPRESSO (Debian: apt-get install quantum-espresso "
        "quantum-espresso-data) or set 'reference.command' to the full path of pw.x"
    )

    command: str = Field("pw.x", description="The pw.x executable (name on PATH or a path)")
    mpi_processes: int = Field(1, ge=1, description="MPI processes per calculation")
    mpi_command: str = Field(
        "mpirun --allow-run-as-root", description="MPI launcher used when mpi_processes > 1"
    )
    pseudo_dir: str = Field(
        default_factory=_default_pseudo_dir,
        description="Pseudopotential directory ($ESPRESSO_PSEUDO, else Debian's)",
    )
    pseudopotentials: dict[str, str] = Field(
        default_factory=lambda: {"Si": "Si.pbe-rrkj.UPF"},
        description="Element to UPF file in pseudo_dir (Si: PBE norm-conserving)",
    )
    ecutwfc_ry: float = Field(30.0, gt=0, description="Wavefunction cutoff (Ry)")
    ecutrho_ry: float | None = Field(
        None, gt=0, description="Density cutoff (Ry); default 4 x ecutwfc (norm-conserving)"
    )
    kspacing_inv_ang: float = Field(
        0.25, gt=0, description="k-point spacing (1/Å, 2π included), the same for every cell"
    )
    smearing: Literal["gaussian", "mv", "mp", "fd"] | None = Field(
        None, description="Occupation smearing; None: fixed occupations (insulators)"
    )
    degauss_ry: float = Field(0.01, gt=0, description="Smearing width (Ry)")
    conv_thr_ry_per_atom: float = Field(
        1e-11, gt=0, description="SCF energy threshold per atom (Ry), scaled by the atom count"
    )
    mixing_beta: float = Field(0.7, gt=0, le=1, description="Density mixing factor")
    electron_maxstep: int = Field(100, gt=0, description="SCF iteration limit")
    isolated_atom_moments: dict[str, float] = Field(
        default_factory=lambda: dict(HUND_MOMENTS),
        description="Spin moment (μB) of each free atom; unknown elements relax freely",
    )
    isolated_atom_degauss_ry: float = Field(
        0.005, gt=0, description="Gaussian smearing of the free atom (Ry)"
    )
    isolated_atom_box_ang: float | None = Field(
        12.0,
        gt=0,
        description=(
            "Cubic box of the free-atom pw.x run (Å); the label is box-independent to ~1 meV "
            "and a 20 Å box costs 8x more. None: the configuration's own box"
        ),
    )
    extra_input: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="More pw.x namelist entries, e.g. {'system': {'input_dft': 'pbesol'}}",
    )
    scratch_dir: str = Field(
        default_factory=lambda: str(default_scratch_dir()),
        description="Root of restart-safe work directories (one per configuration)",
    )

    @field_validator("scratch_dir", "pseudo_dir")
    @classmethod
    def _absolute(cls, value: str) -> str:
        return str(Path(value).expanduser().resolve())

    def argv(self) -> list[str]:
        """Build the command line that runs pw.x.

        Returns
        -------
        list of str
            ``[pw.x]`` or ``[mpirun, ..., -np, N, pw.x]``.
        """
        executable = shlex.split(self.command)
        if self.mpi_processes == 1:
            return executable
        return [*shlex.split(self.mpi_command), "-np", str(self.mpi_processes), *executable]

    def required_executables(self) -> tuple[str, ...]:
        """Name pw.x and, with MPI, the MPI launcher.

        Returns
        -------
        tuple of str
            The programs of :meth:`argv`.
        """
        return tuple(dict.fromkeys([self.argv()[0], shlex.split(self.command)[0]]))

    def setup_problems(
        self, symbols: set[str] | list[str] = (), *, programs: bool = True
    ) -> list[str]:
        """List every missing program, pseudopotential entry or pseudopotential file.

        Parameters
        ----------
        symbols
            Elements about to be calculated.
        programs
            False skips the executables (checked where the jobs run, e.g. on a cluster).

        Returns
        -------
        list of str
            One line per problem, naming the setting and the fix.
        """
        problems = super().setup_problems(symbols, programs=programs)
        for symbol in sorted(set(symbols)):
            if symbol not in self.pseudopotentials:
                problems.append(
                    f"qe reference: no pseudopotential for {symbol}; add it to "
                    f"'reference.pseudopotentials' (e.g. {symbol}: {symbol}.pbe-rrkj.UPF) "
                    f"with the file in {self.pseudo_dir}"
                )
                continue
            path = Path(self.pseudo_dir) / self.pseudopotentials[symbol]
            if not path.is_file():
                problems.append(
                    f"qe reference: pseudopotential file {path} for {symbol} does not exist. "
                    "Set 'reference.pseudo_dir' to the directory holding it, fix "
                    "'reference.pseudopotentials', or install quantum-espresso-data"
                )
        return problems

    def espresso_parameters(self, atoms: Atoms) -> dict[str, Any]:
        """Build the keyword arguments of ASE's ``Espresso`` for one configuration.

        Parameters
        ----------
        atoms
            The configuration (its cell sets the k-point grid).

        Returns
        -------
        dict
            ``input_data`` (nested namelists), ``pseudopotentials`` and ``kpts``.
        """
        system: dict[str, Any] = {"ecutwfc": self.ecutwfc_ry}
        if self.ecutrho_ry is not None:
            system["ecutrho"] = self.ecutrho_ry
        if self.smearing is not None:
            system |= {"occupations": "smearing", "smearing": self.smearing}
            system["degauss"] = self.degauss_ry
        kpts = monkhorst_pack_grid(atoms, self.kspacing_inv_ang)
        isolated = is_isolated_atom(atoms)
        if isolated:
            system |= self._free_atom_spin(atoms.get_chemical_symbols()[0])
            kpts = None
        input_data: dict[str, dict[str, Any]] = {
            "control": {
                "calculation": "scf",
                "tprnfor": True,
                "tstress": not isolated,
                "disk_io": "low",
            },
            "system": system,
            "electrons": {
                "conv_thr": self.conv_thr_ry_per_atom * len(atoms),
                "mixing_beta": self.mixing_beta if not isolated else min(self.mixing_beta, 0.3),
                "electron_maxstep": self.electron_maxstep,
            },
        }
        for namelist, entries in self.extra_input.items():
            input_data.setdefault(namelist, {}).update(entries)
        pseudos = {s: self.pseudopotentials[s] for s in set(atoms.get_chemical_symbols())}
        return {"input_data": input_data, "pseudopotentials": pseudos, "kpts": kpts}

    def _free_atom_spin(self, symbol: str) -> dict[str, Any]:
        spin: dict[str, Any] = {
            "nspin": 2,
            "occupations": "smearing",
            "smearing": "gaussian",
            "degauss": self.isolated_atom_degauss_ry,
            "starting_magnetization(1)": 0.5,
        }
        moment = atom_moment(symbol, self.isolated_atom_moments)
        if moment is not None:
            spin["tot_magnetization"] = moment
        return spin

    def calculator(self, directory: str | Path | None = None) -> Espresso:
        """Build a checked pw.x calculator.

        Parameters
        ----------
        directory
            Where pw.x runs; default a new ``qe_<pid>`` directory in the current one.

        Returns
        -------
        Espresso
            A :class:`CheckedEspresso` whose inputs follow each configuration's cell.
        """
        self.check_ready()
        directory = directory or Path.cwd() / f"qe_{os.getpid()}"
        return CheckedEspresso(self, directory)

    def calculator_in(self, directory: Path) -> Espresso:
        """Build a checked pw.x calculator that runs in a configuration's work directory.

        Parameters
        ----------
        directory
            The work directory.

        Returns
        -------
        Espresso
            :meth:`calculator` with that directory.
        """
        return self.calculator(directory=directory)

    def scratch_root(self) -> Path:
        """Return the root of the per-configuration work directories.

        Returns
        -------
        Path
            :attr:`scratch_dir`.
        """
        return Path(self.scratch_dir)

    def describe_run(self, directory: str | Path) -> dict[str, str | float | int]:
        """Read what a finished pw.x run reports about itself, for provenance.

        Parameters
        ----------
        directory
            The run directory.

        Returns
        -------
        dict
            ``code_version``, ``kpoint_grid`` ("4x4x4" or "gamma"), ``n_kpoints_irreducible``
            and, for spin-polarised runs, ``magnetization_bohr_mag`` (the cell's total).
        """
        directory = Path(directory)
        text = (directory / "espresso.pwo").read_text(errors="replace")
        inputs = (directory / "espresso.pwi").read_text(errors="replace")
        info: dict[str, str | float | int] = {}
        if version := re.search(r"Program PWSCF v\.(\S+)", text):
            info["code_version"] = f"pw.x {version.group(1)}"
        grid = re.search(r"K_POINTS automatic\s*\n\s*(\d+)\s+(\d+)\s+(\d+)", inputs)
        info["kpoint_grid"] = "x".join(grid.groups()) if grid else "gamma"
        if count := re.search(r"number of k points=\s*(\d+)", text):
            info["n_kpoints_irreducible"] = int(count.group(1))
        if moments := re.findall(r"total magnetization\s+=\s+(-?[\d.]+)", text):
            info["magnetization_bohr_mag"] = float(moments[-1])
        return info

    def required_packages(self) -> tuple[str, ...]:
        """Name the distributions behind this backend.

        Returns
        -------
        tuple of str
            ``("ase",)``; the pw.x version is recorded in each configuration's ``info``.
        """
        return ("ase",)
