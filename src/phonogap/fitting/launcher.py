"""How gap_fit is started: a launcher prefix (``mpirun -np 8``, ``srun``), the executable, threads.

:class:`GapFitLauncher` is the ``fit.launcher`` section of a workflow file (and of
:class:`~phonogap.fitting.settings.FitSettings`). :func:`resolve_launcher` decides what runs,
in this order:

1. ``fit.launcher`` when it is given (workflow file or Python);
2. else the environment variable :data:`GAP_FIT_COMMAND_VARIABLE` (``PHONOGAP_GAP_FIT_COMMAND``,
   as wfl's ``WFL_GAP_FIT_COMMAND``) of the machine where the fit *runs*, a shell-quoted command
   whose last word is the executable: ``"mpirun -np 8 /opt/gap/bin/gap_fit"``;
3. else ``gap_fit`` on ``PATH``, no prefix.

:func:`build_capabilities` reads the executable's linked libraries (``ldd``) and its own
symbols: OpenMP (libgomp, libiomp5, libomp) and MPI (libmpi, libmpich, libscalapack).
``OMP_NUM_THREADS`` is set only for an OpenMP build; the PyPI ``quippy-ase`` wheel's gap_fit
has neither, so it is serial whatever the threads asked for.
"""

from __future__ import annotations

import functools
import os
import shlex
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from phonogap.errors import PhonogapError
from phonogap.fitting.gap_fit import GAP_FIT_EXECUTABLE, INSTALL_HINT
from phonogap.schemas.fit import BuildCapabilities, GapFitLaunch

__all__ = [
    "GAP_FIT_COMMAND_VARIABLE",
    "BuildCapabilities",
    "GapFitLaunch",
    "GapFitLauncher",
    "LauncherError",
    "build_capabilities",
    "bundled_binary",
    "gap_fit_executable",
    "launch_command",
    "launcher_from_environment",
    "resolve_launcher",
]

GAP_FIT_COMMAND_VARIABLE = "PHONOGAP_GAP_FIT_COMMAND"
"""A site's gap_fit command, e.g. ``"srun gap_fit"``; used when ``fit.launcher`` is not set."""

_RANK_OPTIONS = ("-np", "-n", "--np", "--n", "--ntasks")
"""Launcher options whose value is the number of MPI ranks (mpirun, mpiexec, srun)."""

_OPENMP_LIBRARIES = ("libgomp", "libiomp5", "libomp.")
_MPI_LIBRARIES = ("libmpi", "libmpich", "libscalapack", "libmpi_mpifh")
_OPENMP_SYMBOLS = (b"GOMP_parallel", b"__kmpc_fork_call")
_MPI_SYMBOLS = (b"MPI_Init", b"mpi_init_", b"blacs_gridinit")


class LauncherError(PhonogapError, ValueError):
    """A gap_fit launcher (``fit.launcher`` or ``PHONOGAP_GAP_FIT_COMMAND``) is unusable."""


class GapFitLauncher(BaseModel):
    """How to start gap_fit: a command prefix, the executable and OpenMP threads.

    Examples: ``{prefix: [mpirun, -np, "8"]}`` (an MPI/ScaLAPACK build),
    ``{prefix: [srun]}``, ``{executable: /opt/gap/bin/gap_fit, n_threads: 16}``.
    """

    model_config = ConfigDict(extra="forbid")

    prefix: list[str] = Field(
        default_factory=list,
        description="Words before the executable, e.g. [mpirun, -np, '8'] or [srun]",
    )
    executable: str = Field(
        "gap_fit", min_length=1, description="gap_fit on PATH, or a path to another build"
    )
    n_threads: int | None = Field(
        None,
        ge=1,
        description="OMP_NUM_THREADS of an OpenMP build (default: the cores / ranks); "
        "not set for a build without OpenMP",
    )

    @field_validator("prefix")
    @classmethod
    def _words(cls, value: list[str]) -> list[str]:
        if any(not word or word != word.strip() for word in value):
            raise ValueError(
                f"prefix words must be non-empty without surrounding spaces, got {value!r}; "
                "write one word per list item, e.g. [mpirun, -np, '8']"
            )
        return value

    @property
    def ranks(self) -> int | None:
        """MPI ranks read from the prefix (``-np 8``, ``-n 8``, ``--ntasks=8``), or None.

        Returns
        -------
        int or None
            1 without a prefix; None when the prefix does not say (``srun`` alone).
        """
        if not self.prefix:
            return 1
        words = list(self.prefix)
        for index, word in enumerate(words):
            key, eq, value = word.partition("=")
            if key in _RANK_OPTIONS:
                value = value if eq else (words[index + 1] if index + 1 < len(words) else "")
                if value.isdigit():
                    return int(value)
        return None

    def command(self, executable: str | None = None) -> list[str]:
        """Return the prefix and the executable, the start of the command line.

        Parameters
        ----------
        executable
            The resolved executable (default: :attr:`executable` as given).

        Returns
        -------
        list of str
            ``[*prefix, executable]``.
        """
        return [*self.prefix, executable or self.executable]


def launcher_from_environment(value: str | None = None) -> GapFitLauncher | None:
    """Read :data:`GAP_FIT_COMMAND_VARIABLE`: its last word is the executable.

    Parameters
    ----------
    value
        The variable's value (default: read from the environment).

    Returns
    -------
    GapFitLauncher or None
        None when the variable is unset or empty.

    Raises
    ------
    LauncherError
        If the value cannot be split as a shell command.
    """
    value = os.environ.get(GAP_FIT_COMMAND_VARIABLE) if value is None else value
    if not value or not value.strip():
        return None
    try:
        words = shlex.split(value)
    except ValueError as exc:
        raise LauncherError(
            f"{GAP_FIT_COMMAND_VARIABLE}={value!r} is not a valid command ({exc}); write e.g. "
            f"export {GAP_FIT_COMMAND_VARIABLE}='mpirun -np 8 gap_fit'"
        ) from None
    return GapFitLauncher(prefix=words[:-1], executable=words[-1])


def resolve_launcher(launcher: GapFitLauncher | None) -> tuple[GapFitLauncher, str]:
    """Return the launcher that runs and where it came from (see the module docstring).

    Parameters
    ----------
    launcher
        ``fit.launcher`` (None: not set).

    Returns
    -------
    tuple
        The launcher, and ``"fit.launcher"``, ``"PHONOGAP_GAP_FIT_COMMAND"`` or ``"default"``.
    """
    if launcher is not None:
        return launcher, "fit.launcher"
    from_environment = launcher_from_environment()
    if from_environment is not None:
        return from_environment, GAP_FIT_COMMAND_VARIABLE
    return GapFitLauncher(), "default"


def _linked_libraries(path: str) -> list[str]:
    try:
        result = subprocess.run(
            ["ldd", path], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [line.split()[0] for line in result.stdout.splitlines() if line.strip()]


def _has_symbol(path: str, symbols: Sequence[bytes]) -> bool:
    try:
        data = Path(path).read_bytes()
    except OSError:
        return False
    return any(symbol in data for symbol in symbols)


@functools.lru_cache(maxsize=16)
def build_capabilities(executable: str) -> BuildCapabilities:
    """Detect OpenMP and MPI in a gap_fit build.

    Parameters
    ----------
    executable
        Path of the binary (not a wrapper script).

    Returns
    -------
    BuildCapabilities
        From ``ldd`` (shared libraries) and the binary's own symbols (static builds).
    """
    libraries = _linked_libraries(executable)
    openmp_libs = [n for n in libraries if any(n.startswith(p) for p in _OPENMP_LIBRARIES)]
    mpi_libs = [n for n in libraries if any(n.startswith(p) for p in _MPI_LIBRARIES)]
    return BuildCapabilities(
        openmp=bool(openmp_libs) or _has_symbol(executable, _OPENMP_SYMBOLS),
        mpi=bool(mpi_libs) or _has_symbol(executable, _MPI_SYMBOLS),
        libraries=openmp_libs + mpi_libs,
    )


def thread_count(launcher: GapFitLauncher, capabilities: BuildCapabilities) -> int | None:
    """Return OMP_NUM_THREADS for this build, or None to leave it unset.

    Parameters
    ----------
    launcher
        Its ``n_threads`` wins; else the cores divided among the ranks.
    capabilities
        Threads apply only to an OpenMP build.

    Returns
    -------
    int or None
        None for a build without OpenMP.
    """
    if not capabilities.openmp:
        return None
    if launcher.n_threads is not None:
        return launcher.n_threads
    return max(1, (os.cpu_count() or 1) // (launcher.ranks or 1))


def bundled_binary(executable: str) -> str:
    """Return quippy's bundled gap_fit binary when ``executable`` is a wrapper script for it.

    ``pip install quippy-ase`` puts a Python console script (behind a pyenv shim, often) on
    PATH that starts the binary as *its* child; a parent-death signal set on the wrapper
    would not reach the binary, so phonogap starts the binary itself.
    """
    try:
        with open(executable, "rb") as handle:
            head = handle.read(4096)
        is_script = head.startswith(b"#!") and (b"quippy" in head or b"pyenv" in head)
        import quippy
    except (OSError, ImportError):
        return executable
    binary = Path(quippy.__path__[0]) / "gap_fit"
    if is_script and binary.is_file() and os.access(binary, os.X_OK):
        return str(binary)
    return executable


def gap_fit_executable(name: str) -> str | None:
    """Return the path of the executable ``name`` on PATH, or None if it is not there.

    For ``gap_fit`` this is quippy's bundled binary when PATH holds its wrapper script
    (:func:`bundled_binary`).
    """
    found = shutil.which(name)
    if found is None:
        return None
    return bundled_binary(found) if Path(name).name == GAP_FIT_EXECUTABLE else found


def launch_command(launcher: GapFitLauncher, source: str) -> tuple[list[str], GapFitLaunch]:
    """Resolve a launcher's programs and describe the launch.

    Parameters
    ----------
    launcher
        Prefix, executable and threads.
    source
        Where the launcher came from (for messages and the record).

    Returns
    -------
    tuple
        The command before gap_fit's arguments (prefix, then the executable's path; quippy's
        wrapper script replaced by its bundled binary), and its :class:`GapFitLaunch`.

    Raises
    ------
    FileNotFoundError
        If the executable or the prefix's program is not found (with an install hint).
    """
    executable = gap_fit_executable(launcher.executable)
    if executable is None:
        raise FileNotFoundError(f"{launcher.executable!r} (from {source}): {INSTALL_HINT}")
    if launcher.prefix and shutil.which(launcher.prefix[0]) is None:
        raise FileNotFoundError(
            f"the gap_fit launcher {launcher.prefix[0]!r} (from {source}) is not on PATH; "
            "install it (e.g. OpenMPI's mpirun) or change the prefix"
        )
    capabilities = build_capabilities(executable)
    threads = thread_count(launcher, capabilities)
    launch = GapFitLaunch(
        command=launcher.command(executable),
        source=source,
        ranks=launcher.ranks,
        threads=threads or 1,
        openmp=capabilities.openmp,
        mpi=capabilities.mpi,
    )
    return launcher.command(executable), launch
