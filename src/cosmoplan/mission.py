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

import contextlib
import json
import os
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


OUTPUT_FILES = ("plan.json", "chaser.oem", "relative_approach.png", "altitude.png",
                "ground_track.png")
"""The files a run writes into its output folder (a run replaces all of them together)."""


def run_scenario(scenario, out_dir=None, *, plots=True, progress=None):
    """Plan a scenario and write its outputs.

    Parameters
    ----------
    scenario : str, Path or Scenario
        Bundled scenario name (``"shenzhou-12"``), a TOML file, or a loaded Scenario.
    out_dir : str or Path, optional
        Output folder (default: the scenario's ``output.directory``, relative to the
        current folder, else ``./cosmoplan-out/<name>``). ``False`` writes nothing.
    plots : bool
        Also write the PNG plots.
    progress : callable, optional
        ``progress(stage, fraction)``.

    Returns
    -------
    RunResult

    Raises
    ------
    InputError
        A bad scenario (file, line, key and value in the message), or an output folder
        that cannot be written (checked before planning).
    PlanningError, ConvergenceError, PropagationError
        From the planner.
    """
    from .errors import InputError
    from .rendezvous import TargetEphemeris, launch_opportunities, plan_fast_rendezvous

    sc = scenario if hasattr(scenario, "to_config") else load_scenario(scenario)
    out = None
    if out_dir is not False:
        if out_dir is not None and not isinstance(out_dir, (str, os.PathLike)):
            raise InputError(f"out_dir must be a path (or False), got {type(out_dir).__name__}",
                             field="out_dir", value=out_dir)
        out = Path(out_dir) if out_dir not in (None, "") else None
        if out_dir == "":
            raise InputError("the output folder is an empty path", field="out_dir", value="")
        if out is None:
            out = Path(sc.output.directory) if sc.output.directory else \
                Path("cosmoplan-out") / _safe_name(sc.scenario.name)
        check_output_dir(out)
    try:
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
    except InputError as exc:
        # errors about scenario keys: point at the scenario file and line
        if exc.source is None and exc.field and "." in exc.field and hasattr(sc, "_error"):
            raise sc._error(str(exc), exc.field, exc.value) from None
        raise
    files = []
    if out is not None:
        if progress is not None:
            progress("writing files", 1.0)
        files = write_outputs(plan, out, plots=plots, scenario_name=sc.scenario.name)
    return RunResult(sc, plan, comparisons, files)


def _safe_name(name):
    """A scenario name made safe as one folder name."""
    import re

    clean = re.sub(r"[^A-Za-z0-9._-]+", "_", str(name)).strip("._")
    return clean or "scenario"


def _existing_ancestor(path):
    p = Path(os.path.abspath(path))
    while not p.exists():
        p = p.parent
    return p


def check_output_dir(out):
    """Raise InputError if the output folder cannot be created or written (creates nothing)."""
    from .errors import InputError

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"the output folder {str(out)!r} exists and is not a folder",
                         field="out", value=str(out))
    base = _existing_ancestor(out)
    if not base.is_dir():
        raise InputError(f"cannot create the output folder {str(out)!r}: {str(base)!r} is not "
                         "a folder", field="out", value=str(out))
    if not os.access(base, os.W_OK | os.X_OK):
        raise InputError(f"cannot write the output folder {str(out)!r}: no write permission "
                         f"in {str(base)!r}", field="out", value=str(out))
    for name in OUTPUT_FILES:
        dest = out / name
        if dest.exists() and not dest.is_file():
            raise InputError(f"{str(dest)!r} exists and is not a file: move it away",
                             field="out", value=str(dest))


def write_outputs(plan, out_dir, *, plots=True, scenario_name="rendezvous"):
    """Write plan.json, chaser.oem and the plots into ``out_dir``, all or nothing.

    The files are first written into a staging folder; then every file of a previous run
    in ``out_dir`` (see :data:`OUTPUT_FILES`) is set aside, the new ones are moved in, and
    the old ones are deleted; if anything fails on the way, the old set is put back. So
    the folder holds either the old run's files or the new run's, never a mix.
    """
    from .ccsds import OEMSegment, write_oem
    from .errors import InputError

    out = Path(out_dir)
    check_output_dir(out)
    base = _existing_ancestor(out)
    try:
        stage = Path(tempfile.mkdtemp(prefix=".cosmoplan-staging.", dir=base))
    except OSError as exc:
        raise InputError(f"cannot write into {str(base)!r}: {exc.strerror}", field="out",
                         value=str(out)) from None
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
        try:
            return _commit(stage, out)
        except OSError as exc:
            raise InputError(f"cannot write the output folder {str(out)!r}: "
                             f"{exc.strerror or exc}", field="out", value=str(out)) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _commit(stage, out):
    """Replace this run's files in ``out`` by the staged ones, all or nothing."""
    from .errors import InputError

    new = sorted(stage.iterdir())
    for f in OUTPUT_FILES:
        dest = out / f
        if dest.exists() and not dest.is_file():
            raise InputError(f"{str(dest)!r} exists and is not a file: move it away",
                             field="out", value=str(dest))
    out.mkdir(parents=True, exist_ok=True)
    aside, placed = [], []
    try:
        for name in OUTPUT_FILES:  # set the previous run's files aside
            dest = out / name
            if dest.exists():
                tmp = out / f".{name}.cosmoplan-previous"
                os.replace(dest, tmp)
                aside.append((tmp, dest))
        for f in new:
            dest = out / f.name
            os.replace(f, dest)
            placed.append(dest)
    except BaseException:
        for dest in placed:
            with contextlib.suppress(OSError):
                os.unlink(dest)
        for tmp, dest in aside:
            with contextlib.suppress(OSError):
                os.replace(tmp, dest)
        raise
    for tmp, _ in aside:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return placed
