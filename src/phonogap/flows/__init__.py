"""The Makers users call."""

from phonogap.flows.extend_database import ExtendDatabaseMaker, GeneralDatabaseMaker
from phonogap.flows.phonon_accurate_gap import PhononAccurateGapMaker

__all__ = ["ExtendDatabaseMaker", "GeneralDatabaseMaker", "PhononAccurateGapMaker"]
