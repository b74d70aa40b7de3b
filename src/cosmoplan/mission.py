"""The main job in one call: plan a scenario and write its files.

:func:`run_scenario` is what ``cosmoplan run`` does, without the printing: it loads a
scenario (bundled name or TOML path), computes the launch opportunities with every
listed element set, plans the fast rendezvous, and writes into the output folder

* ``plan.json``: launch and docking epochs (ISO 8601 UTC), every burn, the totals;
* ``chaser.oem``: the chaser's trajectory, CCSDS OEM 2.0 KVN, one segment per arc;
* ``relative_approach.png``, ``altitude.png``, ``ground_track.png``.

Files are first written to a staging folder and moved into place only when all of
them exist, so a failure leaves no partial output.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .scenario import load_scenario

__all__ = ["RunResult", "run_scenario"]


@dataclass
class RunResult:
    """What :func:`run_scenario` returns.

    Attributes
    ----------
    scenario : Scenario
    plan : RendezvousPlan
    comparisons : list of (TLE, list of LaunchOpportunity)
        Launch opportunities computed with the comparison element sets.
    files : list of Path
        Files written (empty when ``out_dir`` was False).
    """

    scenario: object
    plan: object
    comparisons: list
    files: list


def run_scenario(scenario, out_dir=None, *, plots=True, progress=None):
    """Plan a scenario and write its outputs.

    Parameters
    ----------
    scenario : str, Path or Scenario
        Bundled scenario name (``"shenzhou-12"``), a TOML file, or a loaded Scenario.
    out_dir : str or Path, optional
        Output folder (default: the scenario's ``output.directory``, else
        ``./cosmoplan-out/<name>``). ``False`` writes nothing.
    plots : bool
        Also write the PNG plots.
    progress : callable, optional
        ``progress(stage, fraction)``.

    Returns
    -------
    RunResult
    """
    from .rendezvous import TargetEphemeris, launch_opportunities, plan_fast_rendezvous

    sc = scenario if hasattr(scenario, "to_config") else load_scenario(scenario)
    cfg = sc.to_config()
    site = sc.site_object()
    target = sc.target_object()
    comparisons = []
    if sc.target.tle_file is not None:
        _, others = sc.target_element_sets()
        for tle in others:
            opps = launch_opportunities(
                TargetEphemeris.from_tle(tle, max_age_days=1e9), site, sc.launch.day,
                ascent_duration_s=cfg.insertion.ascent_duration_s,
                ascent_range=cfg.insertion.ascent_range)
            comparisons.append((tle, opps))
    plan = plan_fast_rendezvous(target, site, sc.launch.day, cfg, progress=progress)
    files = []
    if out_dir is not False:
        if progress is not None:
            progress("writing files", 1.0)
        out = Path(out_dir or sc.output.directory or f"cosmoplan-out/{sc.scenario.name}")
        files = write_outputs(plan, out, plots=plots, scenario_name=sc.scenario.name)
    return RunResult(sc, plan, comparisons, files)


def write_outputs(plan, out_dir, *, plots=True, scenario_name="rendezvous"):
    """Write plan.json, chaser.oem and the plots into ``out_dir`` (all or nothing)."""
    from .ccsds import OEMSegment, write_oem

    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging.", dir=out.parent))
    try:
        content = plan.to_dict()
        content["scenario"] = scenario_name
        (stage / "plan.json").write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
        n_arcs = len(plan.chaser_arcs)
        segs = [OEMSegment(arc, plan.config.chaser.name.upper(), "CHASER",
                           comment=f"arc {k + 1} of {n_arcs}")
                for k, arc in enumerate(plan.chaser_arcs) if len(arc) >= 2]
        write_oem(stage / "chaser.oem", segs,
                  comment=f"cosmoplan plan of {scenario_name}: chaser from insertion to "
                          f"docking; force model {plan.force_model}")
        if plots:
            from .report.plots import plot_all

            plot_all(plan, stage)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for f in sorted(stage.iterdir()):
            dest = out / f.name
            f.replace(dest)
            written.append(dest)
        return written
    finally:
        shutil.rmtree(stage, ignore_errors=True)
