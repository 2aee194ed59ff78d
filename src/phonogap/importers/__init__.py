"""Science layer: importers of existing labelled DFT data, chosen by name.

``import_dataset("phonopy", "22_phonopy.yaml")`` returns an :class:`ImportedDataset` of
configurations labelled with the keys of :mod:`phonogap.schemas.keys`. Registered names:
``phonopy``, ``phono3py``, ``vasprun``, ``extxyz``, ``mlearn``.

Science layer, no jobflow; the import jobs live in :mod:`phonogap.jobs.importers`.
"""

from phonogap.importers.extxyz_data import import_extxyz
from phonogap.importers.mlearn import import_mlearn
from phonogap.importers.phono3py_data import import_phono3py, load_reference_phono3py
from phonogap.importers.phonopy_data import (
    import_phonopy,
    load_reference_phonopy,
    phonopy_from_dataset,
)
from phonogap.importers.registry import (
    ORIGIN_KEY,
    DatasetImportError,
    ImportedDataset,
    UnknownImporterError,
    available_importers,
    get_importer,
    import_dataset,
    register_importer,
)
from phonogap.importers.vasprun import import_vasprun, vasp_stress_to_virial

__all__ = [
    "ORIGIN_KEY",
    "DatasetImportError",
    "ImportedDataset",
    "UnknownImporterError",
    "available_importers",
    "get_importer",
    "import_dataset",
    "import_extxyz",
    "import_mlearn",
    "import_phono3py",
    "import_phonopy",
    "import_vasprun",
    "load_reference_phono3py",
    "load_reference_phonopy",
    "phonopy_from_dataset",
    "register_importer",
    "vasp_stress_to_virial",
]
