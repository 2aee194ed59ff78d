"""Rerun only the melt-quench part of ``extend_sw.py`` on the potentials it already fitted.

Finds the base and extended GAPs in the work directory recorded in ``extend_sw.json``
(f from the Eq. 8 sigmas of each training file), runs the protocol (SW-driven) and replaces
the ``melt_quench`` section of the JSON and its PNGs.

Usage::

    python benchmarks/extend_sw_melt_quench.py [--superheat-steps 1000] [--out benchmarks/results]
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np
from extend_sw import melt_quench_settings
from jobflow import run_locally

from phonogap.database.extxyz import read_training_xyz
from phonogap.flows.melt_quench import MeltQuenchMaker
from phonogap.report.figures_md import (
    plot_melt_quench_errors,
    plot_melt_quench_thermo,
    plot_phase_errors,
)


def fitted_potentials(work: Path) -> dict[str, str]:
    """Name -> gap.xml of the fits in an extend_sw work directory."""
    found = {}
    for xml in sorted(work.glob("job_*/gap.xml")):
        training = read_training_xyz(xml.parent / "training.xyz")
        single = [a for a in training if a.info.get("config_type") == "single_displacement"]
        if not single:
            found["base"] = str(xml)
            continue
        atoms = single[0]
        norm = np.maximum(np.linalg.norm(atoms.arrays["REF_forces"], axis=1), 0.01)
        f = float(np.median(atoms.arrays["force_atom_sigma"] / norm))
        found[f"extended f={f:.3g}"] = str(xml)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--superheat-steps", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    path = args.out / "extend_sw.json"
    payload = json.loads(path.read_text())
    potentials = fitted_potentials(Path(payload["work_dir"]))
    settings = melt_quench_settings("bench").model_copy(
        update={"superheat_steps": args.superheat_steps}
    )
    flow = MeltQuenchMaker(settings=settings, reference="sw").make(potentials)
    responses = run_locally(flow, root_dir=Path(payload["work_dir"]), create_folders=True)
    melt = responses[flow.jobs[-1].uuid][1].output
    dump = melt.model_dump(mode="json")
    payload["melt_quench"].update(
        {
            "phase_errors": dump["phase_errors"],
            "phase_diagnostics": melt.phase_diagnostics,
            "snapshot_errors": dump["snapshot_errors"],
            "settings": melt.settings,
            "n_atoms": melt.n_atoms,
            "potentials": potentials,
        }
    )
    payload["scale"]["md_settings"] = melt.settings
    path.write_text(json.dumps(payload, indent=2, default=str))
    plot_melt_quench_errors(dump["snapshot_errors"], args.out / "extend_sw_melt_quench.png")
    plot_melt_quench_thermo(melt.thermo, args.out / "extend_sw_thermo.png")
    plot_phase_errors(dump["phase_errors"], args.out / "extend_sw_phase_errors.png")
    for row in melt.table():
        print(row)
    print(json.dumps(melt.phase_diagnostics, indent=1))


if __name__ == "__main__":
    main()
