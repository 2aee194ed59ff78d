"""The reference abstraction: anything that labels configurations with energies and forces.

A reference is a small, serialisable pydantic model. It never holds a live calculator, so it
can travel inside a jobflow Job, a FireWorks spec or a process pool; each process builds its
own calculator with :meth:`Reference.calculator`.

:class:`Reference` declares every hook the workflow layer (:mod:`phonogap.jobs`) calls, each
with a default that suits a cheap in-process calculator, so a new backend overrides only what
differs. Backends that run as atomate2 jobs (``vasp``, ``cp2k``) set
:attr:`Reference.runs_as_atomate2_jobs` and provide :meth:`Reference.static_maker` and
:meth:`Reference.labels_from_task` (and :meth:`Reference.relax_maker` if atomate2 relaxes with
them); the jobs and Flows built from these live in :mod:`phonogap.jobs.labels` and
:mod:`phonogap.jobs.structures`.
"""

from __future__ import annotations

import shutil
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict

from phonogap.errors import PhonogapError
from phonogap.reference.dft_common import ReferenceSetupError, default_scratch_dir
from phonogap.schemas.provenance import ReferenceProvenance, package_versions

if TYPE_CHECKING:
    from ase import Atoms
    from ase.calculators.calculator import Calculator
    from pymatgen.core import Structure

    from phonogap.schemas.configuration import Configuration


class NoInProcessCalculatorError(PhonogapError, ValueError):
    """A backend that runs as atomate2 jobs was asked for an in-process ASE calculator."""

    @classmethod
    def for_backend(cls, backend: str, alternative: str = "") -> NoInProcessCalculatorError:
        """Build the error for a backend, naming the supported path.

        Parameters
        ----------
        backend
            Registry name of the backend.
        alternative
            Appended to the message, e.g. ``" or choose backend 'qe' ..."``.

        Returns
        -------
        NoInProcessCalculatorError
            The error to raise.
        """
        return cls(
            f"the {backend} reference runs as atomate2 jobs (a static job per configuration, "
            "relaxations by atomate2 where it has a relax maker); it has no in-process ASE "
            "calculator. Use it in a Maker of phonogap.flows (PhononAccurateGapMaker labels one "
            f"job per configuration){alternative}"
        )


class AtomateMaker(Protocol):
    """What the workflow layer needs of an atomate2 Maker: a name and ``make(structure)``."""

    name: str

    def make(self, structure: Structure) -> Any:
        """Build the atomate2 job for a structure (a ``jobflow.Job``)."""


class Reference(BaseModel, ABC):
    """Base class of every reference backend.

    Subclasses set :attr:`backend` (the registry name) and implement :meth:`calculator`; the
    other hooks have defaults for a cheap calculator that labels in-process.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    backend: ClassVar[str]
    """Registry name of the backend (``"sw"``, ``"ase"``, ``"gap"``)."""

    cheap: ClassVar[bool] = True
    """True when many configurations are best labelled inside one job with a process pool."""

    runs_as_atomate2_jobs: ClassVar[bool] = False
    """True when the backend has no in-process calculator and labels through atomate2 jobs.

    Such a backend implements :meth:`static_maker` and :meth:`labels_from_task`; its
    :meth:`calculator` raises :class:`NoInProcessCalculatorError`.
    """

    run_options: ClassVar[frozenset[str]] = frozenset()
    """Fields that change how or where a calculation runs (MPI, paths, SCF iteration limits),
    not its converged labels: left out of the hash of a configuration's work directory."""

    install_hint: ClassVar[str] = "install it or set 'reference.command' to its full path"
    """How to provide a missing program of :meth:`required_executables` (named in errors)."""

    @abstractmethod
    def calculator(self) -> Calculator:
        """Build a fresh ASE calculator for this reference in the current process.

        Returns
        -------
        Calculator
            An ASE calculator giving energies, forces and (for periodic cells) stress.

        Raises
        ------
        NoInProcessCalculatorError
            For backends that run as atomate2 jobs.
        """

    def calculator_in(self, directory: Path) -> Calculator:
        """Build a calculator that writes its files in a given work directory.

        Parameters
        ----------
        directory
            The configuration's restart-safe work directory.

        Returns
        -------
        Calculator
            Default: :meth:`calculator` (calculators without files run where they are).
        """
        return self.calculator()

    def is_expensive(self) -> bool:
        """Tell whether configurations are labelled one job each (spread over a cluster).

        Returns
        -------
        bool
            Default: ``not cheap``; cheap backends label a whole database in one job.
        """
        return not self.cheap

    def scratch_root(self) -> Path:
        """Return the root of the per-configuration work directories of expensive labelling.

        Returns
        -------
        Path
            Default: ``$PHONOGAP_SCRATCH_DIR``, else ``./phonogap_scratch`` (absolute).
        """
        return default_scratch_dir()

    def check_ready(self, symbols: set[str] | list[str] = ()) -> None:
        """Fail early, naming the fix, if the backend cannot run (missing program or file).

        Parameters
        ----------
        symbols
            Elements about to be calculated.

        Raises
        ------
        ReferenceSetupError
            With the first problem of :meth:`setup_problems`. Called once before expensive
            labelling fans out.
        """
        if problems := self.setup_problems(symbols):
            raise ReferenceSetupError(problems[0])

    def required_executables(self) -> tuple[str, ...]:
        """Name the programs this backend starts (looked up on ``PATH`` by the pre-flight).

        Returns
        -------
        tuple of str
            Default: none (an in-process calculator).
        """
        return ()

    def supported_elements(self) -> frozenset[str] | None:
        """Name the elements this backend can label.

        Returns
        -------
        frozenset of str or None
            Default None: any element.
        """
        return None

    def setup_problems(
        self, symbols: set[str] | list[str] = (), *, programs: bool = True
    ) -> list[str]:
        """List, without raising, every reason the backend cannot run for these elements.

        Parameters
        ----------
        symbols
            Elements about to be calculated.
        programs
            False skips the executables (checked where the jobs run, e.g. on a cluster).

        Returns
        -------
        list of str
            One line per problem, each naming the setting and the fix: a missing program of
            :meth:`required_executables`, an element outside :meth:`supported_elements`.
        """
        problems = [
            f"{self.backend} reference: executable {program!r} not found on PATH; "
            f"{self.install_hint}"
            for program in (self.required_executables() if programs else ())
            if shutil.which(program) is None
        ]
        supported = self.supported_elements()
        unsupported = sorted(set(symbols) - supported) if supported is not None else []
        if unsupported:
            problems.append(
                f"{self.backend} reference: cannot label {', '.join(unsupported)} (it supports "
                f"only {', '.join(sorted(supported or ()))}); choose a reference for these "
                "elements in 'reference.backend' (e.g. qe) or remove those structures"
            )
        return problems

    def describe_run(self, directory: str | Path) -> dict[str, Any]:
        """Read what a finished calculation reports about itself, for provenance.

        Parameters
        ----------
        directory
            The configuration's work directory.

        Returns
        -------
        dict
            Added to the labelled configuration's ``info`` (code version, k-points, ...);
            default: nothing.
        """
        return {}

    def static_maker(self, atoms: Atoms, name: str = "static") -> AtomateMaker:
        """Build the atomate2 Maker of the static calculation that labels a configuration.

        Parameters
        ----------
        atoms
            The configuration (the free atom may get its own settings).
        name
            Job name.

        Returns
        -------
        AtomateMaker
            An atomate2 static Maker (backends with :attr:`runs_as_atomate2_jobs`).

        Raises
        ------
        NotImplementedError
            Default: the backend labels with its in-process calculator.
        """
        raise NotImplementedError(
            f"the {self.backend} reference labels with its in-process calculator; it has no "
            "atomate2 static maker"
        )

    def labels_from_task(self, task: Any, configuration: Configuration) -> Configuration:
        """Read the labels of a configuration from the task document its static job stored.

        Parameters
        ----------
        task
            The atomate2 task document (object or dict) of :meth:`static_maker`'s job.
        configuration
            The configuration that was sent.

        Returns
        -------
        Configuration
            With energy, forces and (periodic cells) virial.

        Raises
        ------
        NotImplementedError
            Default: the backend labels with its in-process calculator.
        """
        raise NotImplementedError(
            f"the {self.backend} reference labels with its in-process calculator; it reads no "
            "atomate2 task documents"
        )

    def relax_maker(self, name: str = "relax") -> AtomateMaker | None:
        """Build the atomate2 Maker that relaxes a structure with this reference, if any.

        Parameters
        ----------
        name
            Job name.

        Returns
        -------
        AtomateMaker or None
            Default None: structures relax in-process with :meth:`calculator`.
        """
        return None

    def provenance(self) -> ReferenceProvenance:
        """Describe the reference for output documents.

        Returns
        -------
        ReferenceProvenance
            The backend name, its settings and the versions of the packages behind it.
        """
        return ReferenceProvenance(
            backend=self.backend,
            settings=self.model_dump(mode="json"),
            versions=package_versions(*self.required_packages()),
        )

    def required_packages(self) -> tuple[str, ...]:
        """Name the Python distributions whose versions go into provenance.

        Returns
        -------
        tuple of str
            Distribution names.
        """
        return ("ase",)
