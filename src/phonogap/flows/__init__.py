"""Workflow layer: the Makers users call (atomate2-style; ``make`` returns a jobflow Flow)."""

from phonogap.flows.campaign import CampaignMaker
from phonogap.flows.extend_database import ExtendDatabaseMaker, GeneralDatabaseMaker
from phonogap.flows.imported_data_gap import ImportedDataGapMaker
from phonogap.flows.kappa import KappaMaker
from phonogap.flows.melt_quench import MeltQuenchMaker
from phonogap.flows.phonon_accurate_gap import PhononAccurateGapMaker
from phonogap.flows.scans import LearningCurveMaker, ParameterScanMaker, RegularizationScanMaker

__all__ = [
    "CampaignMaker",
    "ExtendDatabaseMaker",
    "GeneralDatabaseMaker",
    "ImportedDataGapMaker",
    "KappaMaker",
    "LearningCurveMaker",
    "MeltQuenchMaker",
    "ParameterScanMaker",
    "PhononAccurateGapMaker",
    "RegularizationScanMaker",
]
