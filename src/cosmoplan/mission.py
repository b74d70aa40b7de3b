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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .scenario import load_scenario

__all__ = ["RunResult", "run_scenario"]


@dataclass
class RunResult:
    """What :func:`run_scenario` returns.

    Attributes
    ----------
    scenario : Scenario or PorkchopScenario
    plan : RendezvousPlan
        The plan (rendezvous scenarios; None for porkchops).
    comparisons : list of (TLE, list of LaunchOpportunity)
        Launch opportunities computed with the comparison element sets.
    files : list of Path
        Files written (empty when ``out_dir`` was False).
    porkchop : Porkchop or None
        The grid (porkchop scenarios).
    best : PorkchopPoint or None
        The optimum under the scenario's constraints.
    marks : list of (str, PorkchopPoint)
        The scenario's marked dates (e.g. a real mission's), each solved exactly.
    """

    scenario: object
    plan: object
    comparisons: list
    files: list
    porkchop: object = None
    best: object = None
    marks: list = field(default_factory=list)
    relay: object = None
    sites: object = None
    sample_return: object = None


OUTPUT_FILES = ("plan.json", "chaser.oem", "relative_approach.png", "altitude.png",
                "ground_track.png")
"""The files a rendezvous run writes into its output folder (replaced all together)."""
PORKCHOP_FILES = ("porkchop.json", "porkchop.csv", "porkchop.png")
"""The files a porkchop run writes."""
RELAY_FILES = ("relay.json", "relay.oem", "coverage.png", "halo.png")
"""The files a relay run writes."""
SAMPLE_RETURN_FILES = ("mission.json", "timeline.csv", "mission.png")
"""The files a sample-return run writes (plus one OEM per leg, :func:`sample_return_files`)."""
SITES_FILES = ("sites.json", "sites.csv", "events.csv", "sites.png")
"""The files a sites run writes (plus one ``site-<key>.png`` per site with plots; the
comparison ``sites.png`` only for two sites or more)."""


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
    from .scenario import PorkchopScenario, RelayScenario, SampleReturnScenario, SitesScenario

    sc = scenario if hasattr(scenario, "scenario") else load_scenario(scenario)
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
        check_output_dir(out, PORKCHOP_FILES if isinstance(sc, PorkchopScenario)
                         else RELAY_FILES if isinstance(sc, RelayScenario)
                         else sites_files(sc) if isinstance(sc, SitesScenario)
                         else sample_return_files(plots) if isinstance(sc, SampleReturnScenario)
                         else OUTPUT_FILES)
    if isinstance(sc, SampleReturnScenario):
        return _run_sample_return(sc, out, plots, progress)
    if isinstance(sc, SitesScenario):
        return _run_sites(sc, out, plots, progress)
    if isinstance(sc, PorkchopScenario):
        return _run_porkchop(sc, out, plots, progress)
    if isinstance(sc, RelayScenario):
        return _run_relay(sc, out, plots, progress)
    try:
        cfg = sc.to_config()
        site = sc.site_object()
        target = sc.target_object()
        comparisons = []
        # the launch day against the plan's own target data first (the clearest error)
        from .time import Epoch

        main = target if isinstance(target, TargetEphemeris) else TargetEphemeris.from_tle(
            target, max_age_days=1e9)
        main.check_span(Epoch.from_iso(sc.launch.day))
        if sc.target.tle_file is not None:
            _, others = sc.target_element_sets()
            for tle in others:
                try:
                    opps = launch_opportunities(
                        TargetEphemeris.from_tle(tle, max_age_days=1e9), site, sc.launch.day,
                        ascent_duration_s=cfg.insertion.ascent_duration_s,
                        ascent_range=cfg.insertion.ascent_range)
                except InputError as exc:
                    if exc.field != "launch.day":
                        raise
                    raise sc._error(f"comparison element set {tle.epoch.utc.iso(0)}: {exc}",
                                    "target.compare_element_sets",
                                    tle.epoch.utc.iso(0)) from None
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
        files = write_outputs(plan, out, plots=plots, scenario_name=sc.scenario.name,
                              progress=progress)
    return RunResult(sc, plan, comparisons, files)


def _safe_name(name):
    """A scenario name made safe as one folder name."""
    import re

    clean = re.sub(r"[^A-Za-z0-9._-]+", "_", str(name)).strip("._")
    return clean or "scenario"


def _existing_ancestor(path):
    p = Path(os.path.abspath(path))
    while not os.path.lexists(p):
        p = p.parent
    return p


def _run_porkchop(sc, out, plots, progress):
    """The porkchop job: grid, optimum, marks, and (with ``out``) its three files."""
    from .errors import InputError
    from .interplanetary.porkchop import porkchop

    pk = sc.porkchop
    try:
        pc = porkchop(pk.departure, pk.arrival, pk.launch, pk.arrive, step_days=pk.step_days,
                      arrival_step_days=pk.arrival_step_days, prograde=pk.prograde,
                      revolutions=pk.revolutions, branch=pk.branch,
                      capture=sc.capture_orbit(), progress=progress)
        marks = [(m.name, pc.evaluate(m.departure, m.arrival)) for m in sc.marks]
    except InputError as exc:
        if exc.source is None and exc.field:
            field = exc.field if "." in exc.field else f"porkchop.{exc.field}"
            raise sc._error(str(exc), field, exc.value) from None
        raise
    best = pc.best(c3_max=pk.c3_max, vinf_max=pk.vinf_max, objective=pk.objective)
    files = []
    if out is not None:
        if progress is not None:
            progress("writing files", 1.0)
        files = _write_porkchop(sc, pc, best, marks, out, plots, progress)
    return RunResult(sc, None, [], files, porkchop=pc, best=best, marks=marks)


def _run_relay(sc, out, plots, progress):
    """The relay job: halo design, ephemeris correction, link coverage, files."""
    from .cislunar.relay import relay_study
    from .errors import InputError

    stations = []
    if sc.ground.networks:
        from .access import network

        for name in sc.ground.networks:
            stations += list(network(name))
    r = sc.relay
    try:
        study = relay_study(r.libration_point, r.family, r.az_km, r.epoch, sc.site_objects(),
                            days=r.days, step_minutes=r.step_minutes,
                            mask_deg=[site.mask_deg for site in sc.sites], stations=stations,
                            station_mask_deg=sc.ground.mask_deg, progress=progress)
    except InputError as exc:
        if exc.source is None and exc.field:
            field = exc.field if "." in exc.field else f"relay.{exc.field}"
            raise sc._error(str(exc), field, exc.value) from None
        raise
    files = []
    if out is not None:
        files = _write_relay(sc, study, out, plots, progress)
    return RunResult(sc, None, [], files, relay=study)


def _sample_return_oems():
    from .cislunar.export import leg_file_name
    from .cislunar.sample_return import LEG_NAMES

    return tuple(leg_file_name(k, n) for k, n in enumerate(LEG_NAMES, 1))


SAMPLE_RETURN_OEMS = _sample_return_oems()
"""OEM files of a sample-return run, one per leg (:data:`cosmoplan.cislunar.sample_return.
LEG_NAMES`)."""


def sample_return_files(plots=True):
    """Names of the files a sample-return scenario writes."""
    names = SAMPLE_RETURN_FILES if plots else SAMPLE_RETURN_FILES[:2]
    return tuple(names) + SAMPLE_RETURN_OEMS


def sample_return_summary(sc, tl):
    """The JSON summary of a sample-return plan: the scenario's inputs (``inputs``, as
    validated, file units), the plan (UTC epochs, m/s, kg; the OEM files are TDB), and the
    real timeline beside it."""
    from . import __version__

    d = {"format": "cosmoplan sample-return 1", "scenario": sc.scenario.name,
         "cosmoplan_version": __version__,
         "time_scales": "epochs in this file and timeline.csv are UTC; the OEM files are TDB",
         "inputs": sc.model_dump(mode="json", exclude={"source_path"})}
    d.update(tl.to_dict())
    d["comparison_with_reference"] = reference_comparison(sc, tl)
    return d


def reference_comparison(sc, tl):
    """Planned vs real epochs for the names in the scenario's [reference] table: a list of
    {event, planned_utc, real_utc, difference_hours, note} (planned None where the plan has
    no such event). "Capsule landing" is compared with the planned entry interface (the
    skip entry itself, tens of minutes, is not flown)."""
    planned = {n: ep for n, ep, _ in tl.events}
    for b in tl.burns:
        planned.setdefault(b.name, b.epoch)
    out = []
    for name, r in sc.reference_epochs().items():
        note = ""
        p = planned.get(name)
        if p is None and name == "Capsule landing" and "Entry interface" in planned:
            p = planned["Entry interface"]
            note = "planned: entry interface (120 km)"
        out.append({"event": name, "real_utc": r.utc.iso()[:16].replace("T", " "),
                    "planned_utc": None if p is None else p.utc.iso()[:16].replace("T", " "),
                    "difference_hours": None if p is None else float(p - r) / 3600.0,
                    "note": note})
    return out


def _probe_output_dir(out):
    """InputError now, before a long plan, if the staging folder that the files are first
    written to cannot be created next to ``out`` (a folder under /proc, a read-only file
    system): :func:`check_output_dir` looks at permissions, this tries."""
    from .errors import InputError

    base = _existing_ancestor(out)
    try:
        probe = tempfile.mkdtemp(prefix=".cosmoplan-probe.", dir=base)
    except OSError as exc:
        raise InputError(f"cannot use {str(out)[:200]!r} as the output folder: cannot create "
                         f"files in {str(base)!r} ({exc.strerror or exc})", field="out",
                         value=str(out)[:200]) from None
    shutil.rmtree(probe, ignore_errors=True)


def _warn_unmatched_reference(sc, tl):
    """A PlanningWarning for each [reference] name that matches no event or burn of the plan
    (a typo shows as a row without a planned epoch otherwise)."""
    import warnings

    from .errors import PlanningWarning
    from .scenario import _raw_key

    names = [n for n, _, _ in tl.events] + [b.name for b in tl.burns]
    known = set(names) | ({"Capsule landing"} if "Entry interface" in names else set())
    for name in sc.reference:
        if name not in known:
            key = f"reference.{_raw_key(sc._text, 'reference', name)}"
            line = sc._error("", key).line
            warnings.warn(
                f"{sc.source_path or sc.scenario.name}"
                f"{f', line {line}' if line else ''}: key {key!r}: the plan has no event or "
                f"burn named {name!r}, so it is listed without a planned epoch; the plan's "
                f"names: {', '.join(dict.fromkeys(names))}, Capsule landing",
                PlanningWarning, stacklevel=3)


def _run_sample_return(sc, out, plots, progress):
    """The sample-return job: the whole mission planned, then files."""
    from .cislunar.sample_return import plan_sample_return
    from .errors import (
        ConvergenceError,
        DataRangeError,
        InputError,
        PlanningError,
        PropagationError,
    )

    stages = ("trans-lunar injection", "mid-course correction", "lunar orbit insertion",
              "descent", "ascent", "lunar-orbit rendezvous", "trans-Earth injection")

    def prog(k, n, text):
        if progress is not None:
            progress(stages[min(k, len(stages) - 1)], k / n)

    where = str(sc.source_path) if sc.source_path is not None else f"scenario " \
        f"{sc.scenario.name!r}"
    if out is not None:
        _probe_output_dir(out)  # a minute of planning must not end in "cannot write"
    try:
        cfg = sc.to_config()
        tl = plan_sample_return(cfg, progress=prog)
    except InputError as exc:
        if exc.source is None and exc.field and "." in exc.field:
            raise sc._error(str(exc), exc.field, exc.value) from None
        raise
    except DataRangeError as exc:  # the lift-off outside the data: name the key and line
        field = getattr(exc, "field", None)
        if field and sc.source_path is not None:
            loc = sc._error("", field)
            raise DataRangeError(f"{where}, line {loc.line}: key '{field}' = "
                                 f"{getattr(exc, 'value', '')!r}: {exc}", start=exc.start,
                                 stop=exc.stop, mask=exc.mask) from None
        raise
    except PropagationError as exc:
        raise PropagationError(f"{where}: {exc}", codes=exc.codes) from exc
    except (PlanningError, ConvergenceError) as exc:
        raise type(exc)(f"{where}: {exc}") from exc
    _warn_unmatched_reference(sc, tl)
    files = []
    if out is not None:
        summary = sample_return_summary(sc, tl)
        try:
            text = json.dumps(summary, indent=2, allow_nan=False) + "\n"
        except ValueError:  # pragma: no cover - a planner bug; never a NaN in the file
            raise PlanningError(f"{where}: the plan holds a non-finite number; nothing was "
                                "written (a bug: please report it)") from None

        def write(stage):
            from .cislunar.export import write_leg_oems

            (stage / "mission.json").write_text(text, encoding="utf-8")
            lines = ["epoch_utc,event,dv_m_s,vehicle,mass_after_kg,detail"]
            for ep, name, dv, veh, mass, txt in tl.table():
                cells = [ep, name, "" if dv is None else f"{dv:.3f}", veh,
                         "" if mass is None else f"{mass:.1f}", txt]
                lines.append(",".join('"' + str(c).replace('"', '""') + '"' for c in cells))
            (stage / "timeline.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
            write_leg_oems(tl, stage)
            if plots:
                from .report.sample_return_plot import plot_sample_return

                plot_sample_return(tl, stage / "mission.png")

        files = _staged_write(out, write, sample_return_files(plots), progress)
    return RunResult(sc, None, [], files, sample_return=tl)


def sites_files(sc, plots=True):
    """Names of the files a sites scenario writes (one plot per site with ``plots``)."""
    from .scenario import _check_sites

    if not sc._horizons:
        _check_sites(sc)
    names = list(SITES_FILES if plots and len(sc.sites) > 1 else SITES_FILES[:3])
    if plots:
        names += _site_plot_names([site for site, _ in sc._horizons])
    return tuple(names)


def _site_plot_names(sites):
    """One plot file name per site, ``site-<key>.png``; keys that give the same file name
    (a bundled site twice under two names, 'Site 1' and 'site_1', names in other scripts)
    get ``-2``, ``-3``, ... so that no plot overwrites another."""
    names, seen = [], set()
    for site in sites:
        base = f"site-{_safe_name(site.key)}"
        name, k = f"{base}.png", 1
        while name.lower() in seen:  # case-insensitive file systems too
            k += 1
            name = f"{base}-{k}.png"
        seen.add(name.lower())
        names.append(name)
    return names


def _run_sites(sc, out, plots, progress):
    """The sites job: illumination, Earth visibility and network contacts of each site."""
    from .errors import InputError
    from .surface.study import site_study

    if not sc._horizons:
        from .scenario import _check_sites

        _check_sites(sc)
    from .surface.horizon import Horizon, dip_for_height

    sites = [site for site, _ in sc._horizons]
    # a mast over the default flat horizon: the smooth sphere's dip (DEM: in the horizon)
    horizons = [h if h is not None or not spec.mast_m
                else Horizon.flat(np.degrees(dip_for_height(spec.mast_m)))
                for (_, h), spec in zip(sc._horizons, sc.sites)]
    sp = sc.span
    try:
        study = site_study(sites, sp.start, sp.days, step_s=sp.step_minutes * 60.0,
                           horizons=horizons,
                           earth_min_elevation_deg=sp.earth_min_elevation_deg,
                           networks=sc.ground.networks, station_mask_deg=sc.ground.mask_deg,
                           contact_step_s=sc.ground.step_minutes * 60.0, progress=progress)
    except InputError as exc:
        if exc.source is None and exc.field:
            keys = {"step_s": "span.step_minutes", "contact_step_s": "ground.step_minutes",
                    "mask_deg": "ground.mask_deg", "networks": "ground.networks",
                    "stations": "ground.networks"}  # the scenario's keys
            field = exc.field if "." in exc.field else keys.get(exc.field,
                                                                f"span.{exc.field}")
            raise sc._error(str(exc), field, exc.value) from None
        raise
    files = []
    if out is not None:
        files = _write_sites(sc, study, out, plots, progress)
    return RunResult(sc, None, [], files, sites=study)


def _write_sites(sc, study, out, plots, progress):
    import csv
    import io

    summary = study.to_dict()
    summary["scenario"] = sc.scenario.name
    rows = study.rows()
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)

    def write(stage):
        (stage / "sites.json").write_text(json.dumps(summary, indent=2) + "\n",
                                          encoding="utf-8")
        (stage / "sites.csv").write_text(buf.getvalue(), encoding="utf-8")
        (stage / "events.csv").write_text(study.events_csv(), encoding="utf-8")
        if plots:
            from .report.surface_plot import plot_site

            if len(study.analyses) > 1:
                study.plot(stage / "sites.png")
            names = _site_plot_names([a.site for a in study.analyses])
            for a, name in zip(study.analyses, names):
                if progress is not None:
                    progress(f"plotting {a.site.name}", 1.0)
                plot_site(a, stage / name, coverages=study.coverages.get(a.site.name))

    return _staged_write(out, write, sites_files(sc, plots), progress)


def _longest_gap_s(ok, dt_s):
    """Longest unavailability (s) of a link sampled every ``dt_s``: from the first sample
    without the link to the next sample with it (or to the last sample of the span), so it
    never exceeds the span."""
    down = ~np.asarray(ok, dtype=bool)
    longest = 0
    start = None
    for k, d in enumerate(down):
        if d and start is None:
            start = k
        elif not d and start is not None:
            longest = max(longest, k - start)
            start = None
    if start is not None:
        longest = max(longest, len(down) - 1 - start)
    return float(longest * dt_s)


def relay_summary(sc, study):
    """The JSON-ready summary of a relay run (fractions, longest gaps in hours)."""
    from .cislunar.design import orbit_summary

    tu_h = 1.0 / 3600.0
    sites = []
    for name, cov in study.coverage.items():
        dt_s = study.step_s
        entry = {"name": name, "lat_deg": cov.site.lat_deg, "lon_deg": cov.site.lon_deg,
                 "mask_deg": cov.mask_deg, "source": cov.site.source}
        for link in ("site_relay", "relay_earth", "end_to_end", "direct_to_earth"):
            ok = getattr(cov, link)
            entry[link] = {"fraction": float(ok.mean()),
                           "longest_gap_hours": _longest_gap_s(ok, dt_s) * tu_h}
        if study.ground:
            entry["site_relay_station_fraction"] = study.ground["_end_to_end"][name]
        sites.append(entry)
    ground = {k: v for k, v in study.ground.items() if not k.startswith("_")}
    return {
        "format": "cosmoplan relay 1",
        "scenario": sc.scenario.name,
        "epoch_utc": study.epochs[0].utc.iso(3),
        "days": sc.relay.days,
        "step_minutes": sc.relay.step_minutes,
        "orbit": orbit_summary(study.design.orbit, study.design.system),
        "ephemeris_model": {"max_distance_to_cr3bp_orbit_km": study.max_path_distance_km,
                            "max_deviation_from_cr3bp_same_time_km": study.max_deviation_km,
                            "model": "DE421 Moon, Earth, Sun point masses; multiple "
                                     "shooting"},
        "sites": sites,
        "ground_stations": {"mask_deg": sc.ground.mask_deg, "fraction_seen": ground,
                            "network_fraction": study.ground.get("_network")},
    }


def _write_relay(sc, study, out, plots, progress):
    summary = relay_summary(sc, study)

    def write(stage):
        from .report.cislunar_plot import plot_orbit, plot_relay_coverage

        (stage / "relay.json").write_text(json.dumps(summary, indent=2) + "\n",
                                          encoding="utf-8")
        (stage / "relay.oem").write_text(study.oem.to_kvn(), encoding="utf-8")
        if plots:
            plot_relay_coverage(study, stage / "coverage.png")
            plot_orbit(study.design.orbit, stage / "halo.png", system=study.design.system)

    return _staged_write(out, write, RELAY_FILES if plots else RELAY_FILES[:2], progress)


def _write_porkchop(sc, pc, best, marks, out, plots, progress):
    pk = sc.porkchop
    summary = {
        "format": "cosmoplan porkchop 1",
        "scenario": sc.scenario.name,
        "departure_body": pc.departure_body.name,
        "arrival_body": pc.arrival_body.name,
        "grid": {"departures": int(pc.departure.size), "arrivals": int(pc.arrival.size),
                 "step_days": pk.step_days, "prograde": pc.prograde,
                 "revolutions": pc.revolutions,
                 "cells_with_a_transfer": int(pc.valid.sum())},
        "constraints": {"c3_max_km2_s2": pk.c3_max, "vinf_max_km_s": pk.vinf_max,
                        "objective": pk.objective},
        "capture_orbit": {"periapsis_altitude_km": pc.capture.periapsis_altitude_km,
                          "period_days": pc.capture.period_s / 86400.0},
        "optimum": best.to_dict(),
        "marks": [{"name": name, **pt.to_dict()} for name, pt in marks],
        "timings_s": {k: v for k, v in pc.timings.items() if k.endswith("_s")},
    }

    def write(stage):
        (stage / "porkchop.json").write_text(json.dumps(summary, indent=2) + "\n",
                                             encoding="utf-8")
        pc.to_csv(stage / "porkchop.csv")
        if plots:
            pc.plot(stage / "porkchop.png", marks=[(n, p.departure, p.arrival) for n, p in marks],
                    c3_max=pk.c3_max, vinf_max=pk.vinf_max, best=best)

    return _staged_write(out, write, PORKCHOP_FILES, progress)


def check_output_dir(out, names=OUTPUT_FILES):
    """Raise InputError if the output folder cannot be created or written (creates nothing).

    Catches what the operating system would refuse later: a path that is a file, a
    dangling or looping symbolic link, a name longer than the file system allows, a NUL
    byte, a folder without write (or search) permission on the way.
    """
    from .errors import InputError

    try:
        _check_output_dir(Path(out), names)
    except InputError:
        raise
    except (OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        raise InputError(f"cannot use {str(out)[:200]!r} as the output folder: {why}",
                         field="out", value=str(out)[:200]) from None


def _check_output_dir(out, names):
    from .errors import InputError

    text = str(out)
    if "\0" in text:
        raise InputError("the output folder name contains a NUL character", field="out",
                         value=text.replace("\0", "\\0"))
    if os.path.islink(out) and not os.path.exists(out):
        raise InputError(f"the output folder {text!r} is a symbolic link to nothing (or a "
                         "loop of links)", field="out", value=text)
    limit = os.pathconf(_existing_ancestor(out), "PC_NAME_MAX") if hasattr(os, "pathconf") \
        else 255
    long = [part for part in out.parts if len(os.fsencode(part)) > limit]
    if long:
        raise InputError(f"the output folder name part {long[0][:40]!r}... is longer than the "
                         f"file system allows ({limit} bytes)", field="out", value=text[:200])
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
    for name in names:
        dest = out / name
        if dest.exists() and not dest.is_file():
            raise InputError(f"{str(dest)!r} exists and is not a file: move it away",
                             field="out", value=str(dest))


def write_outputs(plan, out_dir, *, plots=True, scenario_name="rendezvous", progress=None):
    """Write plan.json, chaser.oem and the plots into ``out_dir``, all or nothing.

    See :func:`_staged_write` for how the folder is replaced.
    """
    from .ccsds import OEMSegment, write_oem

    def write(stage):
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

    return _staged_write(Path(out_dir), write, OUTPUT_FILES, progress)


def _staged_write(out, write, names, progress=None):
    """Run ``write(stage_folder)``, then replace the files ``names`` in ``out`` by the new ones.

    The files are first written into a staging folder; then every file of a previous run
    in ``out`` (among ``names``) is set aside, the new ones are moved in, and the old ones
    are deleted; if anything fails on the way, the old set is put back. So the folder holds
    either the old run's files or the new run's, never a mix.
    """
    from .errors import InputError

    check_output_dir(out, names)
    base = _existing_ancestor(out)
    try:
        stage = Path(tempfile.mkdtemp(prefix=".cosmoplan-staging.", dir=base))
    except OSError as exc:
        raise InputError(f"cannot write into {str(base)!r}: {exc.strerror}", field="out",
                         value=str(out)) from None
    try:
        write(stage)
        if progress is not None:
            progress("moving files into place", 1.0)  # last chance to stop cleanly
        try:
            return _commit(stage, out, names)
        except OSError as exc:
            raise InputError(f"cannot write the output folder {str(out)!r}: "
                             f"{exc.strerror or exc}", field="out", value=str(out)) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _commit(stage, out, names):
    """Replace this run's files in ``out`` by the staged ones, all or nothing."""
    from .errors import InputError

    new = sorted(stage.iterdir())
    for f in names:
        dest = out / f
        if dest.exists() and not dest.is_file():
            raise InputError(f"{str(dest)!r} exists and is not a file: move it away",
                             field="out", value=str(dest))
    out.mkdir(parents=True, exist_ok=True)
    aside, placed = [], []
    try:
        for name in names:  # set the previous run's files aside
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
