"""Read the result of an atomate2 relaxation from its task document (object or dict)."""

from __future__ import annotations

from typing import Any

from pymatgen.core import Structure


def relax_task_output(task: Any) -> dict[str, Any]:
    """Read structure, energy and forces of a relax task (summary, else last ionic step).

    Parameters
    ----------
    task
        The relax job's task document (``TaskDoc`` or its dict).

    Returns
    -------
    dict
        ``structure`` (a pymatgen ``Structure``), ``energy`` (eV, whole cell), ``forces``
        (eV/Å, or None) and ``n_steps`` (ionic steps taken).

    Raises
    ------
    ValueError
        If the task holds no relaxed structure (the run did not finish).
    """
    data = task.model_dump() if hasattr(task, "model_dump") else dict(task)
    calcs = data.get("calcs_reversed") or [{}]
    steps = (calcs[0].get("output") or {}).get("ionic_steps") or []
    output = dict(data.get("output") or {})
    if output.get("structure") is None and steps:
        last = steps[-1]
        output = {"structure": last["structure"], "energy": last["e_fr_energy"]}
        output["forces"] = last.get("forces")
    if output.get("structure") is None:
        raise ValueError(
            f"relax task {data.get('dir_name')} holds no relaxed structure; did it finish?"
        )
    structure = output["structure"]
    if not isinstance(structure, Structure):
        output["structure"] = Structure.from_dict(structure)
    output["n_steps"] = len(steps)
    return output
