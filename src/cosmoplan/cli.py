"""Command line: ``cosmoplan run SCENARIO`` and friends (typer + rich).

Errors: a :class:`~cosmoplan.errors.CosmoplanError` is printed as one clear message
(no traceback) and the exit status is non-zero: 2 for bad input, 3 when no plan meets
the constraints, 4 for a solver or data-range failure. An unexpected exception prints
a short note and exits with 70; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import typer
from rich.console import Console

from . import __version__
from .errors import (
    ConvergenceError,
    CosmoplanError,
    CosmoplanWarning,
    DataRangeError,
    InputError,
    PlanningError,
    PropagationError,
)

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="cosmoplan: mission design for rendezvous and exploration missions.")
console = Console()
err_console = Console(stderr=True)

_EXIT = {InputError: 2, PlanningError: 3, ConvergenceError: 4, DataRangeError: 4,
         PropagationError: 4}


def _exit_code(exc):
    for cls, code in _EXIT.items():
        if isinstance(exc, cls):
            return code
    return 1


def _version(value: bool):
    if value:
        console.print(f"cosmoplan {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Show the version and exit.")):
    """cosmoplan: mission design for rendezvous and exploration missions."""


def _say(prefix, style, message):
    """Print a message on stderr verbatim: no markup interpretation, no re-wrapping (file
    names and TLE column templates must survive intact)."""
    from rich.text import Text

    err_console.print(Text(prefix, style=style) + Text(str(message)), soft_wrap=True)


MAX_WARNINGS = 10


class _Stop:
    """SIGTERM/SIGHUP arrived: checked at safe points (``check``), never raised from inside
    a signal handler, which could land in a compiled-code callback or an import."""

    requested = False

    @classmethod
    def check(cls):
        if cls.requested:
            raise KeyboardInterrupt


def _run_guarded(debug, func):
    """Run func(); print CosmoplanErrors cleanly and exit non-zero.

    cosmoplan's warnings are printed once each (the same message from many epochs is one
    line), at most MAX_WARNINGS of them. SIGTERM and SIGHUP set a flag that the progress
    callback turns into a clean stop at the next stage (before any file is moved into
    place), so temporary files are cleaned up and the output folder is left as it was.
    """
    import signal

    _Stop.requested = False
    shown = {}

    def show(message, category, filename, lineno, file=None, line=None):
        if not issubclass(category, CosmoplanWarning):
            return
        text = str(message)
        shown[text] = shown.get(text, 0) + 1
        if shown[text] == 1 and len(shown) <= MAX_WARNINGS:
            _say("warning: ", "yellow", text)

    def stop(signum, frame):
        _Stop.requested = True

    old = warnings.showwarning
    warnings.showwarning = show
    handlers = {}
    for sig in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)):
        if sig is not None:
            try:
                handlers[sig] = signal.signal(sig, stop)
            except (ValueError, OSError):  # not the main thread
                pass
    try:
        return func()
    except CosmoplanError as exc:
        if debug:
            raise
        _say("error: ", "bold red", exc)
        raise typer.Exit(_exit_code(exc)) from None
    except KeyboardInterrupt:
        _say("interrupted: ", "bold red", "the output folder was left as it was")
        raise typer.Exit(130) from None
    except OSError as exc:  # e.g. stdout on a full disk or a closed pipe
        _say("error: ", "bold red", f"cannot write: {exc.strerror or exc}"
             + (f" ({exc.filename})" if getattr(exc, "filename", None) else ""))
        raise typer.Exit(74) from None
    except typer.Exit:
        raise
    except Exception as exc:  # pragma: no cover - a bug
        if debug:
            raise
        _say("internal error: ", "bold red",
             f"{type(exc).__name__}: {exc}\nThis is a bug in cosmoplan; run again with --debug "
             "for the traceback and report it.")
        raise typer.Exit(70) from None
    finally:
        warnings.showwarning = old
        for sig, h in handlers.items():
            signal.signal(sig, h)
        if len(shown) > MAX_WARNINGS:
            _say("warning: ", "yellow", f"{len(shown) - MAX_WARNINGS} more distinct warnings "
                 "not shown")


def _out_folder(value):
    """--out as a Path; an empty text is refused (as a Path it would mean the current
    folder, and the files would land among the user's own)."""
    if value is None:
        return None
    if not str(value).strip():
        raise typer.BadParameter("the output folder is an empty path: give a folder name, "
                                 "or '.' for the current folder")
    return Path(value)


@app.command()
def run(
    scenario: str = typer.Argument(..., help="Bundled scenario name (e.g. shenzhou-12) or a "
                                             "scenario .toml file."),
    out: str = typer.Option(None, "--out", "-o", callback=_out_folder,
                            help="Output folder (default: the scenario's, else "
                                 "./cosmoplan-out/NAME)."),
    plots: bool = typer.Option(True, "--plots/--no-plots", help="Write PNG plots."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
):
    """Run a scenario (rendezvous plan, porkchop, relay or site study, lunar sample return);
    print tables, write files."""

    from .mission import run_scenario

    def job():
        if not err_console.is_terminal:
            err_console.print("cosmoplan: planning (the first run also compiles the numeric "
                              "kernels, about a minute)", highlight=False, soft_wrap=True)
        res = _progress_runner(lambda progress: run_scenario(scenario, out, plots=plots,
                                                             progress=progress))
        _report(res)

    _run_guarded(debug, job)


def _report(res):
    """Print a run's tables (inside the error guard: user text is escaped, never markup)."""
    from rich.markup import escape
    from rich.text import Text

    from .report.tables import burns_table, opportunities_table, summary_table, timeline_table

    if res.porkchop is not None:
        _report_porkchop(res)
        return
    if res.relay is not None:
        _report_relay(res)
        return
    if res.sites is not None:
        _report_sites(res)
        return
    if res.sample_return is not None:
        _report_sample_return(res)
        return
    plan = res.plan
    console.print(Text(res.scenario.scenario.description or res.scenario.scenario.name,
                       style="bold"))
    console.print(opportunities_table(
        plan.opportunities, plan.opportunity,
        title=f"1. Launch opportunities from {plan.site.name} into the plane of "
              f"{plan.target_name}, {plan.target_source}"))
    for tle, opps in res.comparisons:
        console.print(opportunities_table(
            opps, title=f"   the same with the element set of {tle.epoch.utc.iso(0)} "
                        "(RAAN offset 0; its phase is stale if the target manoeuvred since)"))
    console.print(f"[bold]2. Fast-rendezvous plan[/] ({escape(plan.force_model)})")
    console.print(summary_table(plan))
    console.print(burns_table(plan))
    console.print(timeline_table(plan))
    for w in plan.warnings:
        console.print(Text("note: ", style="yellow") + Text(w))
    if res.files:
        console.print(Text("3. "), end="")
        _files(res.files)


def _report_sample_return(res):
    from rich.table import Table
    from rich.text import Text

    from .mission import reference_comparison

    sc, tl = res.scenario, res.sample_return
    console.print(Text(sc.scenario.description or sc.scenario.name, style="bold"))
    console.print(Text(f"Force model: {tl.config.model.describe()}"))
    table = Table(title=Text("Mission timeline (UTC)"))
    for col, just in (("epoch", "left"), ("event / burn", "left"), ("dv m/s", "right"),
                      ("vehicle", "left"), ("mass after kg", "right"), ("detail", "left")):
        table.add_column(col, justify=just)
    for ep, name, dv, veh, mass, txt in tl.table():
        table.add_row(Text(ep), Text(name), "" if dv is None else f"{dv:,.1f}", Text(veh),
                      "" if mass is None else f"{mass:,.0f}", Text(txt))
    console.print(table)
    by = tl.total_by_vehicle()
    # tl.warnings were shown as they arose (PlanningWarning, once each)
    console.print(Text("Delta-v by vehicle: " + ", ".join(
        f"{k} {v * 1e3:,.0f} m/s" for k, v in by.items()) +
        f"; total {tl.total_dv_km_s * 1e3:,.0f} m/s (TLI by the launcher included)"))
    comp = reference_comparison(sc, tl)
    if comp:
        t2 = Table(title=Text("Planned beside the real mission (UTC)"))
        for col in ("event", "planned", "real", "planned - real", "note"):
            t2.add_column(col, justify="right" if col == "planned - real" else "left")
        for row in comp:
            d = row["difference_hours"]
            t2.add_row(Text(row["event"]), Text(row["planned_utc"] or "-"),
                       Text(row["real_utc"]), "-" if d is None else f"{d:+.1f} h",
                       Text(row["note"]))
        console.print(t2)
    if res.files:
        _files(res.files)


def _report_relay(res):
    from rich.table import Table
    from rich.text import Text

    from .mission import relay_summary

    sc = res.scenario
    sm = relay_summary(sc, res.relay)
    o = sm["orbit"]
    console.print(Text(sc.scenario.description or sc.scenario.name, style="bold"))
    console.print(Text(f"Relay: {o['family']}, Az {o['az_km']:,.0f} km, period "
                       f"{o['period_days']:.3f} d, Jacobi {o['jacobi']:.6f}, stability "
                       f"indices {o['stability_indices'][0]:.4g} / "
                       f"{o['stability_indices'][1]:.4g}; inserted {sm['epoch_utc']}; in "
                       f"the DE421 model within "
                       f"{sm['ephemeris_model']['max_distance_to_cr3bp_orbit_km']:,.0f} km of "
                       "the CR3BP orbit's path"))
    table = Table(title=Text(f"Link availability over {sm['days']:g} days: percent of time "
                             "(longest gap)"))
    table.add_column("site")
    for col in ("site -> relay", "relay -> Earth", "end to end", "direct to Earth"):
        table.add_column(col, justify="right")
    if res.relay.ground:
        table.add_column("via a station", justify="right")
    for site in sm["sites"]:
        row = [Text(f"{site['name']} (mask {site['mask_deg']:g} deg)")]
        for link in ("site_relay", "relay_earth", "end_to_end", "direct_to_earth"):
            v = site[link]
            row.append(Text(f"{100 * v['fraction']:.1f} %  ({v['longest_gap_hours']:.1f} h)"))
        if res.relay.ground:
            row.append(Text(f"{100 * site['site_relay_station_fraction']:.1f} %"))
        table.add_row(*row)
    console.print(table)
    g = sm["ground_stations"]
    if g["fraction_seen"]:
        console.print(Text("Relay above the stations' mask: " + ", ".join(
            f"{k} {100 * v:.0f} %" for k, v in g["fraction_seen"].items())
            + f"; the network together {100 * g['network_fraction']:.1f} %"))
    _files(res.files)


def _report_sites(res):
    from rich.table import Table
    from rich.text import Text

    sc = res.scenario
    study = res.sites
    first = study.analyses[0]
    nets = list(next(iter(study.coverages.values()))) if study.coverages else []
    console.print(Text(sc.scenario.description or sc.scenario.name, style="bold"))
    t0 = first.start.utc.iso(0)
    span = (f"{t0[:10] if t0.endswith('T00:00:00Z') else t0} + {first.span_s / 86400:g} d, "
            f"step {first.step_s / 60:g} min")
    if len(study.analyses) == 1:
        a = first
        table = Table(title=Text(f"{a.site.name} ({a.site.lat_deg:.4f}, "
                                 f"{a.site.lon_east_deg:.4f} deg), {span}"),
                      show_header=False)
        table.add_column(style="bold")
        table.add_column()
        rows = [("horizon", a.horizon.source),
                ("Sun up (some / all of the disk)", f"{100 * a.lit_fraction:.2f} % / "
                                                    f"{100 * a.fully_lit_fraction:.2f} %"),
                ("mean visible fraction of the disk", f"{100 * a.mean_disk_fraction:.2f} %"),
                ("longest night", f"{a.longest_night_s / 3600:.1f} h"),
                ("Sun elevation", f"{np.degrees(a.sun_el.min()):.3f} .. "
                                  f"{np.degrees(a.sun_el.max()):.3f} deg"),
                ("Earth up (direct to Earth)", f"{100 * a.earth_visible_fraction:.2f} %"),
                ("longest Earth gap", f"{a.longest_earth_gap_s / 3600:.1f} h"),
                ("Earth elevation", f"{np.degrees(a.earth_el.min()):.3f} .. "
                                    f"{np.degrees(a.earth_el.max()):.3f} deg")]
        for net in nets:
            cov = study.coverages[a.site.name][net]
            rows.append((f"{net} network contact", f"{100 * cov.fraction:.2f} % (longest gap "
                                                   f"{cov.longest_gap_s / 3600:.1f} h)"))
        for label, value in rows:
            table.add_row(Text(label), Text(value))
        console.print(table)
        if a.events:
            shown = a.events[:12]
            console.print(Text(f"{len(a.events)} events (refined to {a.tol_s:g} s); the "
                               f"first {len(shown)}:"))
            for e in shown:
                console.print(Text(f"   {e.epoch.utc.iso(0)}  {e.kind}"))
        else:
            console.print(Text("no sunrise, sunset, Earth-rise or Earth-set in the span"))
    else:
        from rich import box

        table = Table(title=Text(f"{span}: percent of time up (Sun: some/all of the disk), "
                                 "longest absence (days), network contact (%)"),
                      box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False,
                      collapse_padding=True)
        for col in ("site", "Sun %", "night", "Earth %", "gap"):
            table.add_column(col, justify="left" if col == "site" else "right",
                             no_wrap=True)
        for net in nets:
            table.add_column(net, justify="right", no_wrap=True)
        for a in study.analyses:
            row = [Text(a.site.key),
                   Text(f"{100 * a.lit_fraction:.1f}/{100 * a.fully_lit_fraction:.1f}"),
                   Text(f"{a.longest_night_s / 86400:.1f}"),
                   Text(f"{100 * a.earth_visible_fraction:.1f}"),
                   Text(f"{a.longest_earth_gap_s / 86400:.1f}")]
            for net in nets:
                row.append(Text(f"{100 * study.coverages[a.site.name][net].fraction:.1f}"))
            table.add_row(*row)
        console.print(table)
        for a in study.analyses:
            console.print(Text(f"   {a.site.key}: {a.site.name} ({a.site.lat_deg:.3f}, "
                               f"{a.site.lon_east_deg:.3f} deg), horizon {a.horizon.source}"))
    if any(a.horizon.source == "flat" for a in study.analyses):
        console.print(Text("'flat' horizon: the plane normal to the radius; terrain (a DEM or "
                           "a mask) changes these figures by tens of percent near the pole.",
                           style="dim"))
    _files(res.files)


def _report_porkchop(res):
    from rich.text import Text

    from .report.tables import porkchop_table

    console.print(Text(res.scenario.scenario.description or res.scenario.scenario.name,
                       style="bold"))
    pk = res.scenario.porkchop
    console.print(porkchop_table(res.porkchop, res.best, res.marks, c3_max=pk.c3_max,
                                 vinf_max=pk.vinf_max))
    _files(res.files)


def _files(files):
    from rich.text import Text

    if files:
        console.print(Text("Files written to ") + Text(str(files[0].parent), style="bold")
                      + Text(":"))
        for f in files:
            console.print(Text(f"   {f.name}"))


def _progress_runner(func):
    """Run ``func(progress)`` with a rich progress bar (or stage lines off a terminal)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    if not err_console.is_terminal:
        seen = set()

        def progress(stage, frac):
            _Stop.check()
            if stage not in seen and stage != "done":
                seen.add(stage)
                err_console.print(f"cosmoplan: {stage} ...", highlight=False, soft_wrap=True,
                                  markup=False)

        return func(progress)
    with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                  TimeElapsedColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task("working", total=1.0)

        def progress(stage, frac):
            _Stop.check()
            bar.update(task, completed=frac, description=stage)

        return func(progress)


@app.command()
def porkchop(
    departure: str = typer.Argument(..., help="Departure planet, e.g. earth."),
    arrival: str = typer.Argument(..., help="Arrival planet, e.g. mars."),
    launch: str = typer.Option(..., "--launch", help="Launch window START/STOP (UTC dates), "
                                                     "e.g. 2020-06-01/2020-09-30."),
    arrive: str = typer.Option(..., "--arrive", help="Arrival window START/STOP."),
    step: float = typer.Option(1.0, "--step", help="Grid step, days."),
    c3_max: float = typer.Option(None, "--c3-max", help="Largest launch C3, km^2/s^2."),
    vinf_max: float = typer.Option(None, "--vinf-max", help="Largest arrival v_inf, km/s."),
    revolutions: int = typer.Option(0, "--revolutions", help="Heliocentric revolutions."),
    out: str = typer.Option("cosmoplan-out/porkchop", "--out", "-o", callback=_out_folder,
                            help="Output folder for porkchop.png, .csv and .json."),
    plots: bool = typer.Option(True, "--plots/--no-plots", help="Write the PNG plot."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
):
    """Porkchop plot of a launch period: C3, DLA/RLA, arrival v-infinity for every pair."""
    from .mission import PORKCHOP_FILES, check_output_dir
    from .scenario import PorkchopScenario

    def job():
        check_output_dir(out, PORKCHOP_FILES)
        data = {"scenario": {"name": f"{departure}-{arrival}", "kind": "porkchop",
                             "description": f"{departure.title()} to {arrival.title()}, "
                                            f"launch {launch}, arrival {arrive}"},
                "porkchop": {"departure": departure, "arrival": arrival, "launch": launch,
                             "arrive": arrive, "step_days": float(step),
                             "revolutions": int(revolutions)}}
        if c3_max is not None:
            data["porkchop"]["c3_max"] = float(c3_max)
        if vinf_max is not None:
            data["porkchop"]["vinf_max"] = float(vinf_max)
        sc = _validate_cli(PorkchopScenario, data)
        from .mission import run_scenario

        res = _progress_runner(lambda progress: run_scenario(sc, out, plots=plots,
                                                             progress=progress))
        _report(res)

    _run_guarded(debug, job)


def _validate_cli(model, data):
    """Validate command-line values with the scenario model; errors name the option."""
    from pydantic import ValidationError

    from .errors import InputError
    from .scenario import _check_porkchop

    options = {"step_days": "step", "c3_max": "c3-max", "vinf_max": "vinf-max",
               "launch": "launch", "arrive": "arrive", "revolutions": "revolutions",
               "departure": "DEPARTURE", "arrival": "ARRIVAL"}

    def name(key):
        key = str(key).split(".")[-1]
        opt = options.get(key, key.replace("_", "-"))
        return opt if opt.isupper() else f"--{opt}"

    try:
        sc = model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = err["loc"][-1]
        raise InputError(f"{name(key)} = {err.get('input')!r}: {err['msg']}",
                         field=str(key), value=err.get("input")) from None
    try:
        _check_porkchop(sc)
    except InputError as exc:
        msg = str(exc).replace(f"{exc.field}", name(exc.field)) if exc.field else str(exc)
        raise InputError(msg, field=exc.field, value=exc.value) from None
    return sc


@app.command()
def halo(
    point: str = typer.Argument(..., help="Libration point: L1 or L2."),
    family: str = typer.Option("northern", "--family", help="northern or southern."),
    az: str = typer.Option("13000km", "--az", help="Out-of-plane amplitude Az (|z| at the "
                                                   "xz-plane crossing beyond the point), "
                                                   "e.g. 13000km or 0.0334LU."),
    epoch: str = typer.Option(None, "--epoch", help="Epoch (UTC) at which the orbit is "
                                                    "carried into the real Earth-Moon-Sun "
                                                    "system for halo.oem (default: today, "
                                                    "00:00 UTC)."),
    revolutions: int = typer.Option(4, "--revolutions", help="Revolutions in halo.oem."),
    out: str = typer.Option(None, "--out", "-o", callback=_out_folder,
                            help="Output folder (default cosmoplan-out/halo-<point>-<family>)."),
    plots: bool = typer.Option(True, "--plots/--no-plots", help="Write the PNG plots."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
):
    """Design an Earth-Moon halo orbit by its amplitude: period, stability, Jacobi constant.

    Writes halo.json, halo.oem (the orbit corrected in the DE421 Moon-Earth-Sun model at
    --epoch, Moon-centred ICRF) and plots of the orbit and its family.
    """
    from rich.table import Table
    from rich.text import Text

    from .cislunar.design import design_halo, orbit_summary
    from .mission import _staged_write, check_output_dir

    folder = out or Path("cosmoplan-out") / f"halo-{point.strip().upper()}-{family.strip()}"
    names = ("halo.json", "halo.oem", "halo.png", "family.png")

    def job():
        import datetime as dt
        import json

        from .cislunar.design import ephemeris_oem
        from .time import Epoch

        check_output_dir(folder, names)
        from .cislunar.ephemeris_model import MAX_REVOLUTIONS

        if not 1 <= revolutions <= MAX_REVOLUTIONS:
            raise InputError(f"--revolutions {revolutions}: need 1..{MAX_REVOLUTIONS}",
                             field="revolutions", value=revolutions)
        if epoch is not None and not epoch.strip():
            raise InputError("--epoch is empty; give a UTC date such as 2018-06-14T03:06:00Z "
                             "(or leave it out for today)", field="epoch", value=epoch)
        when = epoch or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT00:00:00Z")
        try:
            ep = Epoch.coerce(when, field="epoch")
        except InputError as exc:
            raise InputError(f"--epoch {when!r}: {exc}", field="epoch", value=when) from None
        with console.status("continuing the halo family and correcting the orbit"):
            design = design_halo(point, family, az)
        summary = orbit_summary(design.orbit, design.system)
        with console.status(f"correcting {revolutions} revolutions in the ephemeris model"):
            oem, transition = ephemeris_oem(design.orbit, ep, revolutions=revolutions,
                                            name=f"HALO {point.strip().upper()}")
        import numpy as np

        t_s, states = transition.trajectory()
        dev = np.linalg.norm(states[:, :3] - transition.reference(t_s)[:, :3], axis=1)
        path = transition.distance_to_orbit()
        summary["ephemeris_model"] = {
            "epoch_utc": ep.utc.iso(3),
            "revolutions": int(revolutions),
            "max_distance_to_cr3bp_orbit_km": float(path.max()),
            "max_deviation_from_cr3bp_same_time_km": float(dev.max()),
            "model": "DE421 Moon, Earth, Sun point masses; multiple shooting"}
        table = Table(title=Text(f"{summary['family']}, Az {design.az_km:,.0f} km "
                                 "(Earth-Moon CR3BP)"), show_header=False)
        table.add_column(style="bold")
        table.add_column(justify="right")
        rows = [("period", f"{summary['period_days']:.4f} d ({summary['period_tu']:.10f} TU)"),
                ("Jacobi constant", f"{summary['jacobi']:.10f}"),
                ("stability indices", ", ".join(f"{v:.6g}" for v in
                                                summary["stability_indices"])
                 + ("  (stable)" if summary["stable"] else "  (unstable)")),
                ("Ax, Ay, Az", f"{summary['ax_km']:,.0f}, {summary['ay_km']:,.0f}, "
                               f"{summary['az_km']:,.0f} km"),
                ("closest / farthest from the Moon", f"{summary['perilune_km']:,.0f} / "
                                                     f"{summary['apolune_km']:,.0f} km"),
                ("initial state (x, z, vy)", "{:.12f}, {:.12f}, {:.12f}".format(
                    *[summary["state0"][i] for i in (0, 2, 4)])),
                ("closure after one period", f"{summary['closure']:.1e}"),
                ("ephemeris model", f"{revolutions} revolutions from {when}: within "
                                    f"{path.max():,.0f} km of the CR3BP orbit's path "
                                    f"({dev.max():,.0f} km at the same time)")]
        for label, value in rows:
            table.add_row(Text(label), Text(value))
        console.print(table)

        def write(stage):
            from .report.cislunar_plot import plot_family, plot_orbit

            (stage / "halo.json").write_text(json.dumps(summary, indent=2) + "\n")
            (stage / "halo.oem").write_text(oem.to_kvn())
            if plots:
                plot_orbit(design.orbit, stage / "halo.png", system=design.system)
                plot_family(design.family, stage / "family.png", system=design.system,
                            mark=design.orbit)

        written = _staged_write(folder, write, names if plots else names[:2])
        console.print(Text(f"wrote {len(written)} files into {folder}"))

    _run_guarded(debug, job)


@app.command()
def site(
    name: str = typer.Argument(None, help="A bundled lunar site (e.g. \"Shackleton rim\", "
                                         "south-pole; see --list), or a label for --lat/--lon."),
    start: str = typer.Option(None, "--from", help="Start, UTC (default today 00:00)."),
    days: float = typer.Option(365.0, "--days", help="Length of the span, days."),
    step_minutes: float = typer.Option(5.0, "--step-minutes", help="Grid step, minutes "
                                                                   "(events refined to 0.5 s)."),
    lat: float = typer.Option(None, "--lat", help="Selenographic latitude, deg (own site)."),
    lon: float = typer.Option(None, "--lon", help="East longitude, deg (own site)."),
    horizon: Path = typer.Option(None, "--horizon", help="Horizon mask CSV "
                                                          "(azimuth_deg,elevation_deg)."),
    dem: Path = typer.Option(None, "--dem", help="Lunar DEM GeoTIFF, polar stereographic "
                                                 "(needs the optional 'terrain' extra, "
                                                 "i.e. rasterio)."),
    mast_m: float = typer.Option(0.0, "--mast-m", help="Observer height above the ground, m."),
    networks: str = typer.Option("china,russia,esa,nasa", "--networks",
                                 help="Ground networks for contacts, comma-separated, or "
                                      "'none'."),
    station_mask: float = typer.Option(None, "--station-mask", help="Common station "
                                                                    "elevation mask, deg "
                                                                    "(default each "
                                                                    "station's own)."),
    earth_min_el: float = typer.Option(0.0, "--earth-min-elevation",
                                       help="Earth's least elevation above the site's "
                                            "horizon for direct-to-Earth, deg."),
    out: str = typer.Option(None, "--out", "-o", callback=_out_folder,
                            help="Output folder (default cosmoplan-out/site-<name>)."),
    plots: bool = typer.Option(True, "--plots/--no-plots", help="Write the PNG plots."),
    list_sites: bool = typer.Option(False, "--list", help="List the bundled sites and exit."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
):
    """Lunar site: Sun and Earth over the horizon, nights, Earth gaps, partner contacts."""
    from .mission import _safe_name, run_scenario, sites_files

    def job():
        import datetime as dt

        from rich.text import Text

        from .surface.sites import load_sites

        if list_sites:
            for key, s in load_sites().items():
                console.print(Text(f"{key:<18} {s.lat_deg:9.4f} {s.lon_east_deg:10.4f}  "
                                   f"{s.name}"))
            return
        if name is None:
            raise InputError("give a site: a bundled one's NAME (cosmoplan site --list shows "
                             "them) or a label with --lat and --lon", field="name")
        spec = {}
        if lat is not None or lon is not None:
            if lat is None or lon is None:
                given = f"--lon {lon:g}" if lat is None else f"--lat {lat:g}"
                raise InputError(f"{given} without {'--lat' if lat is None else '--lon'}: give "
                                 "both for an own site (or neither for a bundled one)",
                                 field="lat" if lat is None else "lon",
                                 value=lon if lat is None else lat)
            spec.update(name=name, lat_deg=float(lat), lon_deg=float(lon))
        else:
            spec.update(bundled=name)
        if horizon is not None and dem is not None:
            raise InputError(f"--horizon {str(horizon)!r} and --dem {str(dem)!r}: give one "
                             "(a mask or a terrain model)", field="dem", value=str(dem))
        if horizon is not None and mast_m:
            raise InputError(f"--mast-m {mast_m:g} does not apply to a --horizon mask (the "
                             "mask is what the observer sees); it applies to a flat horizon "
                             "or a --dem", field="mast_m", value=mast_m)
        if horizon is not None:
            spec["horizon_csv"] = str(horizon)
        if dem is not None:
            spec["dem"] = str(dem)
        if mast_m:
            spec["mast_m"] = float(mast_m)
        nets = [] if networks.strip().lower() in ("", "none") else \
            [n.strip().lower() for n in networks.split(",") if n.strip()]
        if not nets and networks.strip().lower() not in ("", "none"):
            raise InputError(f"--networks {networks!r} names no network; give names such as "
                             "'china,esa', or 'none'", field="networks", value=networks)
        if start is not None and not start.strip():
            raise InputError("--from is empty; give a UTC date such as 2028-01-01 (or leave "
                             "it out for today)", field="start", value=start)
        when = start or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT00:00:00Z")
        ground = {"networks": nets}
        if station_mask is not None:
            ground["mask_deg"] = float(station_mask)
        data = {"scenario": {"name": f"site {name}", "kind": "sites",
                             "description": f"Lunar site {name}"},
                "span": {"start": when, "days": float(days),
                         "step_minutes": float(step_minutes),
                         "earth_min_elevation_deg": float(earth_min_el)},
                "sites": [spec], "ground": ground}
        sc = _validate_sites_cli(data)
        folder = out or Path("cosmoplan-out") / _safe_name(
            f"site-{sc._horizons[0][0].key}")
        from .mission import check_output_dir

        check_output_dir(folder, sites_files(sc, plots))
        try:
            res = _progress_runner(lambda progress: run_scenario(sc, folder, plots=plots,
                                                                 progress=progress))
        except InputError as exc:  # a scenario key in the message: name the option
            opt = {"span.days": "--days", "span.step_minutes": "--step-minutes",
                   "span.start": "--from", "span.earth_min_elevation_deg":
                   "--earth-min-elevation", "ground.mask_deg": "--station-mask",
                   "ground.networks": "--networks"}.get(exc.field)
            if opt is None:
                raise
            raise InputError(f"{opt}: {exc}", field=exc.field, value=exc.value) from None
        _report(res)

    _run_guarded(debug, job)


def _validate_sites_cli(data):
    """Validate ``cosmoplan site`` options with the scenario model; errors name the option."""
    from pydantic import ValidationError

    from .scenario import SitesScenario, _check_sites

    options = {"start": "--from", "days": "--days", "step_minutes": "--step-minutes",
               "lat_deg": "--lat", "lon_deg": "--lon", "horizon_csv": "--horizon",
               "dem": "--dem", "mast_m": "--mast-m", "networks": "--networks",
               "mask_deg": "--station-mask", "earth_min_elevation_deg": "--earth-min-elevation",
               "bundled": "NAME", "name": "NAME"}

    def opt(field):
        parts = [p for p in str(field).split(".") if not p.isdigit()]
        return options.get(parts[-1] if parts else "", str(field)) if parts else str(field)

    try:
        sc = SitesScenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        msg = err["msg"]
        if err["type"] == "string_pattern_mismatch":
            msg = "must be non-empty text on one line, without control characters"
        elif loc.endswith("step_minutes") and err["type"] == "greater_than_equal":
            msg = "must be at least 1/60 minute (1 s)"
        raise InputError(f"{opt(loc)} = {err.get('input')!r}: {msg}", field=loc,
                         value=err.get("input")) from None
    try:
        _check_sites(sc)
    except InputError as exc:
        msg = str(exc)
        for k in ("sites[0].bundled: ", "sites[0].dem: ", "sites[0].horizon_csv: ",
                  "key 'span.start'", "key 'ground.networks'"):
            if k in msg:
                msg = msg.replace(k, {"sites[0].bundled: ": "NAME: ",
                                      "sites[0].dem: ": "--dem: ",
                                      "sites[0].horizon_csv: ": "--horizon: ",
                                      "key 'span.start'": "--from",
                                      "key 'ground.networks'": "--networks"}[k])
        raise InputError(msg, field=exc.field, value=exc.value) from None
    return sc


ccsds_app = typer.Typer(no_args_is_help=True,
                        help="CCSDS Navigation Data Messages: check and convert OEM, OPM, OMM, "
                             "CDM (KVN and XML) and TLE <-> OMM.")
app.add_typer(ccsds_app, name="ccsds")


@ccsds_app.command("check")
def ccsds_check(
    files: list[Path] = typer.Argument(..., help="Message files (KVN or XML)."),
    lenient: bool = typer.Option(False, "--lenient",
                                 help="Accept frame/centre names outside the SANA registries "
                                      "and scale compatible units (m -> km)."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
):
    """Validate messages: a summary of each valid one, the error (file, line, keyword) of
    each invalid one. Exit status 2 if any file is invalid."""
    from rich.table import Table
    from rich.text import Text

    from . import ccsds
    from .ccsds._summary import summary

    def job():
        bad = 0
        for path in files:
            try:
                msg, errors = ccsds.validate(path, strict=not lenient)
            except InputError as exc:  # unreadable file
                msg, errors = None, [exc]
            if errors:
                bad += 1
                for exc in errors:
                    _say("invalid: ", "bold red", exc)
                continue
            console.print(Text(f"{path}: ", style="bold") + Text(f"valid {msg.NAME}",
                                                                    style="green"))
            table = Table(show_header=False)
            table.add_column(style="bold")
            table.add_column()
            for label, value in summary(msg):
                table.add_row(Text(label), Text(value))
            console.print(table)
        if bad:
            raise InputError(f"{bad} of {len(files)} file{'s' if len(files) > 1 else ''} "
                             "invalid")

    _run_guarded(debug, job)


@ccsds_app.command("convert")
def ccsds_convert(
    source: Path = typer.Argument(..., help="Input: an OEM/OPM/OMM/CDM (KVN or XML) or a TLE "
                                            "file."),
    target: Path = typer.Argument(..., help="Output: .xml for XML, .tle for a TLE, anything "
                                            "else KVN."),
    to: str = typer.Option(None, "--to", help="Output format kvn, xml or tle (default: from "
                                              "the output suffix)."),
    name: str = typer.Option(None, "--name", help="Which element set of a TLE file with "
                                                  "several (by name or catalog number)."),
    index: int = typer.Option(None, "--index", help="Which element set of a TLE file (1 is "
                                                    "the first)."),
    lenient: bool = typer.Option(False, "--lenient", help="As for check."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
):
    """Convert between KVN and XML, or TLE <-> OMM. The output is written atomically."""
    from .ccsds._convert import convert

    def job():
        out, what = convert(source, target, to=to, name=name, index=index, strict=not lenient)
        console.print(Text(f"wrote {out} ({what})"))

    from rich.text import Text

    _run_guarded(debug, job)


@app.command()
def scenarios():
    """List the bundled scenarios."""
    from rich.text import Text

    from .scenario import bundled_scenarios, load_scenario

    for name in bundled_scenarios():
        sc = load_scenario(name)
        console.print(Text(name, style="bold") + Text(f": {sc.scenario.description}"))


def main():  # console-script entry point
    try:
        app()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except SystemExit as exc:  # keep typer's exit code
        sys.exit(exc.code)


if __name__ == "__main__":  # pragma: no cover
    main()
