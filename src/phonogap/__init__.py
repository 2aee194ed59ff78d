"""phonogap: phonon-accurate, transferable Gaussian approximation potentials as workflows."""

__version__ = "0.1.0"
