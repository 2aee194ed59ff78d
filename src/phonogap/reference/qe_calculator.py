"""The ASE calculator behind the ``qe`` reference: pw.x that dies with phonogap, and its errors.

:class:`CheckedEspresso` is ASE's ``Espresso`` with the inputs of a
:class:`~phonogap.reference.qe.QuantumEspressoReference` (its ``argv``, ``pseudo_dir``,
``espresso_parameters``, ``isolated_atom_box_ang`` and ``check_ready``); pw.x runs in its own
process group with the parent-death signal, and a failed run becomes an error that names the
fix (:func:`diagnose_failure`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
from pathlib import Path
from subprocess import CalledProcessError
from typing import TYPE_CHECKING

from ase.calculators.espresso import Espresso, EspressoProfile

from phonogap.processes import run_in_own_group
from phonogap.reference.dft_common import (
    DftCalculationError,
    ReferenceSetupError,
    is_isolated_atom,
)

if TYPE_CHECKING:
    from ase import Atoms

    from phonogap.reference.base import Reference


def diagnose_failure(directory: Path, returncode: int, argv: list[str]) -> DftCalculationError:
    """Turn a failed pw.x run into an error that says what happened and what to do.

    Parameters
    ----------
    directory
        The run directory (``espresso.pwo``, ``espresso.err``).
    returncode
        pw.x's exit status (negative: killed by that signal).
    argv
        The command that ran.

    Returns
    -------
    DftCalculationError
        The error to raise.
    """
    output = directory / "espresso.pwo"
    text = output.read_text(errors="replace") if output.is_file() else ""
    if returncode < 0:
        name = signal.Signals(-returncode).name
        return DftCalculationError(
            f"pw.x was killed by {name} in {directory} (time limit, out of memory or a user "
            "kill). Rerun the workflow: finished configurations are reused from their work "
            "directories and this one restarts"
        )
    not_converged = re.search(r"convergence NOT achieved after\s+(\d+)\s+iterations", text)
    if not_converged:
        return DftCalculationError(
            f"pw.x SCF did not converge in {not_converged.group(1)} iterations ({output}). "
            "Raise 'reference.electron_maxstep', lower 'reference.mixing_beta' (e.g. 0.3), "
            "or set 'reference.smearing' for a metal; then rerun (finished labels are kept)"
        )
    error_block = re.search(r"%{10,}\n(.*?)\n\s*%{10,}", text, re.S)
    detail = error_block.group(1).strip() if error_block else "no error message in the output"
    return DftCalculationError(
        f"pw.x ({' '.join(argv)}) failed with exit status {returncode} in {directory}: "
        f"{detail}. See espresso.pwo and espresso.err there"
    )


class DyingEspressoProfile(EspressoProfile):
    """ASE's pw.x profile, but pw.x (or mpirun) runs in its own group and dies with phonogap."""

    def run(
        self,
        directory: Path,
        inputfile: str | None,
        outputfile: str,
        errorfile: str | None = None,
        append: bool = False,
    ) -> None:
        """Run pw.x like ASE does, with the parent-death signal and a group kill on interrupt.

        Parameters
        ----------
        directory
            Where pw.x runs.
        inputfile, outputfile, errorfile
            File names in ``directory``.
        append
            Append to the output files instead of overwriting them.

        Raises
        ------
        CalledProcessError
            If pw.x exits with a non-zero status.
        """
        argv = self.get_command(inputfile)
        mode = "ab" if append else "wb"
        with contextlib.ExitStack() as stack:
            out = stack.enter_context(open(Path(directory) / outputfile, mode))
            err = (
                stack.enter_context(open(Path(directory) / errorfile, mode)) if errorfile else None
            )
            status = run_in_own_group(argv, cwd=directory, stdout=out, stderr=err, env=os.environ)
        if status != 0:
            raise CalledProcessError(status, argv)


class CheckedEspresso(Espresso):
    """ASE's ``Espresso`` with per-configuration inputs and errors that name the fix."""

    def __init__(self, reference: Reference, directory: str | Path) -> None:
        profile = DyingEspressoProfile(
            command=shlex.join(reference.argv()), pseudo_dir=reference.pseudo_dir
        )
        super().__init__(profile=profile, directory=str(directory))
        self.reference = reference

    def write_inputfiles(self, atoms: Atoms, properties: list[str]) -> None:
        """Write the pw.x input; a free atom is recentred in the reference's smaller box.

        Parameters
        ----------
        atoms
            The configuration.
        properties
            Requested properties.
        """
        atoms = atoms.copy()
        atoms.set_constraint()  # pw.x does not relax here; FixSymmetry would only warn
        box = self.reference.isolated_atom_box_ang
        if box is not None and len(atoms) == 1 and is_isolated_atom(atoms):
            atoms.set_cell([box, box, box])
            atoms.positions[:] = box / 2
        super().write_inputfiles(atoms, properties)

    def calculate(self, atoms: Atoms, properties: list[str], system_changes: list[str]) -> None:
        """Run pw.x for ``atoms`` with inputs built from the reference settings.

        Parameters
        ----------
        atoms
            The configuration.
        properties
            Requested properties (energy, forces and stress are always computed).
        system_changes
            What changed since the last call (ASE bookkeeping).

        Raises
        ------
        ReferenceSetupError
            If pw.x or a pseudopotential is missing.
        DftCalculationError
            If pw.x fails, is killed or its SCF does not converge.
        """
        self.reference.check_ready(set(atoms.get_chemical_symbols()))
        self.parameters.clear()
        self.parameters.update(self.reference.espresso_parameters(atoms))
        try:
            super().calculate(atoms, properties, system_changes)
        except FileNotFoundError as exc:
            raise ReferenceSetupError(
                f"qe reference: cannot start {self.reference.argv()} ({exc}); install Quantum "
                "ESPRESSO or set 'reference.command'"
            ) from exc
        except CalledProcessError as exc:
            raise diagnose_failure(self.directory, exc.returncode, self.reference.argv()) from exc
        if self.results.get("energy") is None or self.results.get("forces") is None:
            raise DftCalculationError(
                f"pw.x finished in {self.directory} without energy or forces; see espresso.pwo"
            )
