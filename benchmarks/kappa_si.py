"""Benchmark: lattice thermal conductivity of diamond Si (phono3py RTA, 2x2x2 conventional).

(a) kappa from the imported phono3py DFT datasets (Si-PBE, and PBEsol/LDA for scale: 111 VASP
    pair displacements each) against phono3py's published 119.5 / 109.1 / 112.4 W/m K (11³).
(b) hook: GAP potentials fitted to the Si-PBE data (``--gap-pbe LABEL=gap.xml``), compared with
    (a) Si-PBE; relaxed with the GAP first (the paper's protocol).
(c) Stillinger-Weber itself (finite displacements); hook: GAPs fitted to SW data
    (``--gap-sw LABEL=gap.xml``), compared with SW.
(d) full finite displacements vs random ± displacements fitted by symfc, for several supercell
    counts and random seeds, on the SW reference: kappa, supercells, wall time.

Writes ``<out>/kappa_si.json`` and ``<out>/kappa_si.png`` (kappa(T)), prints tables.

Usage::

    python benchmarks/kappa_si.py [--mesh 11] [--counts 8 12 16 20 24 32] [--seeds 0 1 2]
        [--gap-pbe LABEL=path/gap.xml ...] [--gap-sw LABEL=path/gap.xml ...]
        [--skip-imported] [--out benchmarks/results]
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import time
import warnings
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from pymatgen.core import Structure

from phonogap.phonons.kappa import kappa_from_phono3py_dataset, kappa_with_reference
from phonogap.reference.base import Reference
from phonogap.reference.gap import GapPotential
from phonogap.reference.registry import get_reference
from phonogap.schemas.kappa import KappaSettings
from phonogap.schemas.provenance import software_versions
from phonogap.structures.relax import relax_structure

REFDATA = Path(__file__).resolve().parents[2] / "shared" / "refdata"
PUBLISHED_300K = {"Si-PBE": 119.5, "Si-PBEsol": 109.1, "Si-LDA": 112.4}  # phono3py README, 11³
PAPER_TABLE = {  # George et al. 2020, W/m K at 300 / 600 / 900 K
    "experiment": (142.2, 69.2, 33.7),
    "DFT (PW91)": (126.4, 57.1, 37.4),
    "GAP-18": (109.4, 50.2, 32.9),
}
TABLE_T = (300.0, 600.0, 900.0)
CURVE_T = tuple(float(t) for t in range(200, 1001, 50))


def row_from_run(label: str, run: Any, wall: float, extra: dict | None = None) -> dict:
    """Flatten a KappaRun into a JSON row."""
    result = run.result
    row = {
        "label": label,
        "temperatures_k": result.temperatures_k,
        "kappa_w_per_mk": result.kappa_mean_diagonal_w_per_mk,
        "kappa_tensors_w_per_mk": result.kappa_tensors_w_per_mk,
        "n_supercells": run.n_supercells + run.n_phonon_supercells,
        "timings_s": run.timings_s,
        "wall_time_s": wall,
    }
    row.update(extra or {})
    return row


def kappa_at(row: dict, temperature: float) -> float:
    """Mean diagonal kappa of a row at one temperature."""
    return row["kappa_w_per_mk"][row["temperatures_k"].index(temperature)]


def kappa_imported(name: str, settings: KappaSettings) -> dict:
    """(a) kappa from phono3py's imported DFT dataset ``refdata/phono3py_si/<name>``."""
    start = time.perf_counter()
    run = kappa_from_phono3py_dataset(REFDATA / "phono3py_si" / name, settings)
    return row_from_run(name, run, time.perf_counter() - start, {"method": "imported"})


def relaxed(structure: Structure, reference: Reference) -> tuple[Structure, float]:
    """Relax cell and positions with the reference (forces < 1e-5 eV/Å); return a (Å)."""
    result = relax_structure(structure, reference.calculator(), fmax=1e-5)
    return result.structure, result.structure.volume ** (1 / 3) * (8 / len(structure)) ** (1 / 3)


def kappa_of_reference(
    label: str, reference: Reference, structure: Structure, settings: KappaSettings
) -> dict:
    """Kappa of any reference or potential at its own relaxed geometry (hook for GAPs)."""
    start = time.perf_counter()
    cell, lattice = relaxed(structure, reference)
    run = kappa_with_reference(cell, reference, settings)
    extra = {"method": settings.method, "lattice_ang": lattice, "seed": settings.random_seed}
    return row_from_run(label, run, time.perf_counter() - start, extra)


def kappa_of_potential(
    label: str, xml_path: str | Path, structure: Structure, settings: KappaSettings
) -> dict:
    """Kappa of a fitted GAP (``gap_fit`` xml), finite displacements, relaxed with the GAP."""
    return kappa_of_reference(label, GapPotential(xml_path=str(xml_path)), structure, settings)


def fd_vs_random(
    reference: Reference,
    structure: Structure,
    fd_row: dict,
    counts: list[int],
    seeds: list[int],
    mesh: tuple[int, int, int],
) -> list[dict]:
    """(d) random ± displacements (symfc) for each count and seed, relative to full FD."""
    rows = []
    for count in counts:
        for seed in seeds:
            settings = KappaSettings(
                method="random_displacements",
                n_random_supercells=count,
                random_seed=seed,
                mesh=mesh,
                temperatures_k=TABLE_T,
            )
            try:
                row = kappa_of_reference(f"random {count}", reference, structure, settings)
            except ValueError as exc:  # too few supercells for symfc: refused up front
                print(f"  random {count:3d} seed {seed}: refused ({exc})", flush=True)
                rows.append({"n_supercells": count, "seed": seed, "refused": str(exc)})
                break
            row["deviation_percent"] = [
                100 * (kappa_at(row, t) / kappa_at(fd_row, t) - 1) for t in TABLE_T
            ]
            rows.append(row)
            print(
                f"  random {count:3d} seed {seed}: "
                + " ".join(f"{kappa_at(row, t):7.1f}" for t in TABLE_T)
                + "  dev% "
                + " ".join(f"{d:+6.2f}" for d in row["deviation_percent"])
                + f"  {row['wall_time_s']:5.1f} s",
                flush=True,
            )
    return rows


def summarise_random(rows: list[dict], fd_row: dict) -> list[dict]:
    """Per supercell count: worst |deviation| over seeds and temperatures, mean wall time."""
    summary = []
    for count in sorted({row["n_supercells"] for row in rows}):
        group = [row for row in rows if row["n_supercells"] == count]
        if any("refused" in row for row in group):
            summary.append({"n_supercells": count, "refused": group[0]["refused"]})
            continue
        worst = max(abs(d) for row in group for d in row["deviation_percent"])
        summary.append(
            {
                "n_supercells": count,
                "fewer_than_fd": fd_row["n_supercells"] / count,
                "max_abs_deviation_percent": worst,
                "mean_deviation_300K_percent": statistics.mean(
                    row["deviation_percent"][0] for row in group
                ),
                "mean_wall_time_s": statistics.mean(row["wall_time_s"] for row in group),
                "n_seeds": len(group),
            }
        )
    return summary


def plot(rows: list[dict], path: Path) -> None:
    """kappa(T) of every full-curve row, with the paper's table as markers."""
    fig, ax = plt.subplots(figsize=(6.4, 4.4), layout="constrained")
    for row in rows:
        ax.plot(row["temperatures_k"], row["kappa_w_per_mk"], label=row["label"])
    for (label, values), marker in zip(PAPER_TABLE.items(), "os^", strict=True):
        ax.plot(TABLE_T, values, marker, ls="none", mfc="none", label=f"paper: {label}")
    ax.set_yscale("log")
    ax.set_xlabel("T (K)")
    ax.set_ylabel("κ (W/m K), RTA, 2x2x2 conventional")
    ax.set_title("Diamond Si lattice thermal conductivity")
    ax.legend(fontsize=7)
    fig.savefig(path, dpi=150)
    plt.close(fig)


def parse_labelled(items: list[str]) -> list[tuple[str, Path]]:
    """Parse ``LABEL=path`` arguments."""
    parsed = []
    for item in items:
        label, _, path = item.partition("=")
        if not path:
            raise SystemExit(f"expected LABEL=path/gap.xml, got {item!r}")
        parsed.append((label, Path(path)))
    return parsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mesh", type=int, default=11)
    parser.add_argument("--counts", type=int, nargs="*", default=[8, 12, 16, 20, 24, 32])
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    parser.add_argument("--gap-pbe", nargs="*", default=[], help="LABEL=gap.xml (Si-PBE fits)")
    parser.add_argument("--gap-sw", nargs="*", default=[], help="LABEL=gap.xml (SW fits)")
    parser.add_argument("--skip-imported", action="store_true")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    warnings.filterwarnings("ignore")
    mesh = (args.mesh,) * 3
    curve = KappaSettings(mesh=mesh, temperatures_k=CURVE_T)
    payload: dict[str, Any] = {"mesh": list(mesh), "versions": software_versions()}
    curves: list[dict] = []

    print("(a) imported phono3py DFT data", flush=True)
    imported = []
    names = [] if args.skip_imported else list(PUBLISHED_300K)
    for name in names:
        row = kappa_imported(name, curve)
        row["published_300K"] = PUBLISHED_300K[name] if args.mesh == 11 else None
        imported.append(row)
        print(
            f"  {name:10s} 300 K {kappa_at(row, 300.0):7.2f} (published "
            f"{PUBLISHED_300K[name]}) 600 K {kappa_at(row, 600.0):6.2f} 900 K "
            f"{kappa_at(row, 900.0):6.2f}  {row['wall_time_s']:.1f} s",
            flush=True,
        )
    payload["a_imported"] = imported
    curves += imported[:1]

    pbe_cell = Structure.from_file(REFDATA / "phono3py_si" / "Si-PBE" / "POSCAR-unitcell")
    payload["b_gap_pbe"] = []
    for label, xml in parse_labelled(args.gap_pbe):
        row = kappa_of_potential(label, xml, pbe_cell, curve)
        if imported:
            row["vs_pbe_percent"] = [
                100 * (kappa_at(row, t) / kappa_at(imported[0], t) - 1) for t in TABLE_T
            ]
        payload["b_gap_pbe"].append(row)
        curves.append(row)
        print(f"(b) {label}: " + " ".join(f"{kappa_at(row, t):.1f}" for t in TABLE_T), flush=True)

    print("(c) Stillinger-Weber, finite displacements", flush=True)
    sw = get_reference("sw")
    diamond = Structure.from_file(REFDATA / "george2020_castep_phonons" / "POSCAR_diamond")
    sw_row = kappa_of_reference("SW (finite displacements)", sw, diamond, curve)
    print(
        f"  SW: a = {sw_row['lattice_ang']:.5f} Å, {sw_row['n_supercells']} supercells, "
        + " ".join(f"{t:g} K {kappa_at(sw_row, t):.1f}" for t in TABLE_T)
        + f"  ({sw_row['wall_time_s']:.1f} s: {sw_row['timings_s']})",
        flush=True,
    )
    payload["c_sw"] = [sw_row]
    curves.append(sw_row)
    for label, xml in parse_labelled(args.gap_sw):
        row = kappa_of_potential(label, xml, diamond, curve)
        row["vs_sw_percent"] = [100 * (kappa_at(row, t) / kappa_at(sw_row, t) - 1) for t in TABLE_T]
        payload["c_sw"].append(row)
        curves.append(row)
        print(f"  {label}: " + " ".join(f"{kappa_at(row, t):.1f}" for t in TABLE_T), flush=True)

    print("(d) finite displacements vs random displacements (symfc), SW", flush=True)
    fd = KappaSettings(mesh=mesh, temperatures_k=TABLE_T)
    fd_row = kappa_of_reference("finite displacements", sw, diamond, fd)
    print(
        f"  FD {fd_row['n_supercells']} supercells: "
        + " ".join(f"{kappa_at(fd_row, t):7.1f}" for t in TABLE_T)
        + f"  {fd_row['wall_time_s']:5.1f} s",
        flush=True,
    )
    random_rows = fd_vs_random(sw, diamond, fd_row, args.counts, args.seeds, mesh)
    payload["d_fd"] = fd_row
    payload["d_random"] = random_rows
    payload["d_summary"] = summarise_random(random_rows, fd_row)

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "kappa_si.json").write_text(json.dumps(payload, indent=1))
    plot(curves, args.out / "kappa_si.png")

    print(f"\n{'case':<28} {'N':>4} {'300 K':>8} {'600 K':>8} {'900 K':>8} {'time s':>7}")
    for row in [*imported, *payload["b_gap_pbe"], *payload["c_sw"], fd_row]:
        print(
            f"{row['label']:<28} {row['n_supercells']:>4} "
            + " ".join(f"{kappa_at(row, t):8.1f}" for t in TABLE_T)
            + f" {row['wall_time_s']:7.1f}"
        )
    print(f"\n{'random N':>8} {'FD/N':>6} {'max|dev|%':>10} {'mean dev 300K %':>16} {'time s':>7}")
    for item in payload["d_summary"]:
        if "refused" in item:
            print(f"{item['n_supercells']:>8} refused: too few for symfc")
            continue
        print(
            f"{item['n_supercells']:>8} {item['fewer_than_fd']:>6.1f} "
            f"{item['max_abs_deviation_percent']:>10.2f} "
            f"{item['mean_deviation_300K_percent']:>16.2f} {item['mean_wall_time_s']:>7.1f}"
        )
    print(f"\nwrote {args.out / 'kappa_si.json'} and {args.out / 'kappa_si.png'}")


if __name__ == "__main__":
    main()
