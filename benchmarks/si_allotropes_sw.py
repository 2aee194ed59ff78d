"""Benchmark: one GAP for the 13 dynamically stable Si allotropes against Stillinger-Weber.

Both database strategies combined (single displacements + randomised supercells), Eq. 8
regularisation. Writes ``results/si_allotropes_sw.json`` (per structure: mp_id, rms_thz,
imaginary flags, false_instability; fit time, peak memory, wall time) and an RMS bar chart.

Usage::

    python benchmarks/si_allotropes_sw.py [--f 0.001] [--n-sparse 1500] [--preset small]
        [--mp-ids mp-149 mp-168 ...] [--out benchmarks/results]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from jobflow import run_locally

from phonogap.database.settings import DatabaseSettings
from phonogap.fitting.hyperparameters import GapHyperparameters
from phonogap.fitting.settings import FitSettings
from phonogap.flows import PhononAccurateGapMaker
from phonogap.report.exports import results_payload
from phonogap.report.figures import plot_rms_bars
from phonogap.store.jobstore import embedded_store
from phonogap.store.queries import find_summaries
from phonogap.structures.allotropes import silicon_allotropes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--f", type=float, default=0.001)
    parser.add_argument("--n-sparse", type=int, default=1500)
    parser.add_argument("--preset", choices=("small", "gap18"), default="small")
    parser.add_argument("--n-randomised", type=int, default=3)
    parser.add_argument("--randomised-min-length", type=float, default=10.0)
    parser.add_argument("--mp-ids", nargs="*", default=None)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()

    allotropes = silicon_allotropes(args.mp_ids)
    structures = {a.mp_id: a.structure for a in allotropes}
    base = GapHyperparameters.small() if args.preset == "small" else GapHyperparameters.gap18()
    maker = PhononAccurateGapMaker(
        name="si_allotropes_sw",
        reference="sw",
        database=DatabaseSettings(
            strategy="both",
            n_randomised=args.n_randomised,
            randomised_min_length_ang=args.randomised_min_length,
        ),
        fit=FitSettings(hyperparameters=base.with_n_sparse(args.n_sparse), f=args.f),
    )
    flow = maker.make(structures, mp_ids={a.mp_id: a.mp_id for a in allotropes})
    work = Path(tempfile.mkdtemp(prefix="phonogap_si13_"))
    store = embedded_store(work / "store")
    start = time.perf_counter()
    run_locally(flow, store=store, create_folders=True, root_dir=work / "jobs")
    wall = time.perf_counter() - start
    store.connect()
    summary = find_summaries(store)[0]["summary"]
    payload = results_payload(summary)
    payload["wall_time_s"] = wall
    payload["peak_memory_mb_children"] = (
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    )
    payload["peak_memory_mb_self"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    payload["work_dir"] = str(work)
    args.out.mkdir(parents=True, exist_ok=True)
    tag = f"si_allotropes_sw_f{args.f:g}_M{args.n_sparse}"
    (args.out / f"{tag}.json").write_text(json.dumps(payload, indent=2, default=str))
    plot_rms_bars(
        payload["structures"],
        args.out / f"{tag}.png",
        title=f"GAP vs SW, f={args.f:g}, M={args.n_sparse}",
    )

    print(f"{'mp_id':<12} {'RMS (THz)':>10} {'imag ref':>9} {'imag GAP':>9} {'false':>6}")
    for row in summary.rows:
        print(
            f"{row.mp_id or row.name:<12} {row.rms_thz:>10.4f} "
            f"{row.imaginary_reference!s:>9} {row.imaginary_potential!s:>9} "
            f"{row.false_instability!s:>6}"
        )
    print(
        f"median RMS {summary.median_rms_thz:.4f} THz; false instabilities "
        f"{summary.n_false_instabilities}; failed {summary.failed}; dropped "
        f"{[d.name for d in summary.dropped]}"
    )
    print(f"fit {summary.fit.wall_time_s:.0f} s; total wall {wall:.0f} s; results in {args.out}")


if __name__ == "__main__":
    main()
