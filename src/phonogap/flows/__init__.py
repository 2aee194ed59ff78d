"""The Makers users call."""

from phonogap.flows.phonon_accurate_gap import PhononAccurateGapMaker

__all__ = ["PhononAccurateGapMaker"]
