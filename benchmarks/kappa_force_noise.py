"""How accurate must forces be for kappa? Gaussian noise on the Si-PBE phono3py DFT forces.

The phono3py Si-PBE dataset (111 pair displacements of 0.03 Å, 2x2x2 conventional cell) gives
119.4 W/mK at 300 K (11x11x11, RTA). Adding independent Gaussian noise of standard deviation
``sigma`` (eV/Å) to every force component before building fc2/fc3 shows the force accuracy a
potential needs on these supercells for kappa within a few per cent: fc3 comes from force
differences divided by (0.03 Å)², so errors of 1e-4 eV/Å already act like strong extra
scattering. Writes ``results/kappa_force_noise.json``.

Usage::

    python benchmarks/kappa_force_noise.py [--sigmas 0 1e-5 3e-5 1e-4 3e-4] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from phonogap.importers.bundled import bundled_data_dir
from phonogap.phonons.kappa import KappaSettings, produce_force_constants, run_rta
from phonogap.phonons.kappa_dataset import load_phono3py_dataset

DATASET = bundled_data_dir("phono3py_si_pbe")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sigmas", type=float, nargs="+", default=[0, 1e-5, 3e-5, 1e-4, 3e-4])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()

    settings = KappaSettings(mesh=(11, 11, 11))
    rng = np.random.default_rng(args.seed)
    rows = []
    print(f"{'sigma (eV/A)':>13} {'300 K':>8} {'600 K':>8} {'900 K':>8} {'vs 0 @300':>10}")
    for sigma in args.sigmas:
        ph3 = load_phono3py_dataset(args.dataset)
        forces = np.asarray(ph3.forces)
        produce_force_constants(ph3, forces + rng.normal(scale=sigma, size=forces.shape))
        kappa = run_rta(ph3, settings).kappa_mean_diagonal_w_per_mk
        rows.append({"sigma_ev_per_ang": sigma, "kappa_w_per_mk": list(kappa)})
        ratio = kappa[0] / rows[0]["kappa_w_per_mk"][0] - 1
        print(f"{sigma:>13.0e} {kappa[0]:>8.1f} {kappa[1]:>8.1f} {kappa[2]:>8.1f} {ratio:>+10.1%}")
    args.out.mkdir(parents=True, exist_ok=True)
    payload = {
        "dataset": str(args.dataset),
        "mesh": [11, 11, 11],
        "temperatures_k": [300, 600, 900],
        "seed": args.seed,
        "rows": rows,
    }
    (args.out / "kappa_force_noise.json").write_text(json.dumps(payload, indent=2))


if __name__ == "__main__":
    main()
