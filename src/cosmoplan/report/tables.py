"""Rich tables of a rendezvous plan (the edge: degrees, m/s, UTC text).

Each function returns a :class:`rich.table.Table`; printing is the caller's business.
Tables are kept narrow enough for an 80-column terminal: dates go in the titles,
times of day in the rows.
"""

from __future__ import annotations

import numpy as np
from rich import box
from rich.markup import escape
from rich.table import Table

__all__ = ["opportunities_table", "burns_table", "timeline_table", "summary_table"]


def _hms(seconds):
    s = int(round(seconds))
    sign = "-" if s < 0 else "+"
    s = abs(s)
    return f"T{sign}{s // 3600:d}:{(s % 3600) // 60:02d}:{s % 60:02d}"


def _clock(epoch, ndp=0, day=None):
    """hh:mm:ss(.s) UTC of an epoch, prefixed with MM-DD when it is not on ``day``."""
    text = epoch.utc.iso(ndp)
    clock = text[11:].rstrip("Z")
    return clock if day is None or text[:10] == day else f"{text[5:10]} {clock}"


def _table(title, **kw):
    # every text is escaped: names come from users' files and "[...]" must stay text
    return Table(title=escape(title), title_justify="left", box=box.SIMPLE_HEAD,
                 pad_edge=False, **kw)


def _row(table, *cells, **kw):
    table.add_row(*(escape(str(c)) for c in cells), **kw)


def opportunities_table(opportunities, chosen=None, title="Launch opportunities"):
    """In-plane launch opportunities: lift-off UTC, direction, azimuths, phase angle."""
    t = _table(title)
    t.add_column("lift-off UTC", no_wrap=True)
    t.add_column("dir.")
    t.add_column("launch az.°", justify="right")
    t.add_column("inertial az.°", justify="right")
    t.add_column("RAAN off.°", justify="right")
    t.add_column("target phase°", justify="right")
    t.add_column("")
    for o in opportunities:
        mark = ""
        if chosen is not None and abs(float(o.epoch - chosen.epoch)) < 1800 and \
                o.direction == chosen.direction:
            mark = "chosen"
        day = o.epoch.utc.iso(0)[:10]
        _row(t, f"{day} {_clock(o.epoch, 1)}", o.direction[:4] + ".",
                  f"{np.degrees(o.launch_azimuth):.2f}", f"{np.degrees(o.inertial_azimuth):.2f}",
                  f"{np.degrees(o.raan_offset):.4f}", f"{np.degrees(o.phase_angle):.2f}", mark)
    t.caption = escape("dir.: the launch heads north (asce.) or south (desc.) along the plane; "
                 "launch az.: heading flown over the rotating Earth; inertial az.: heading of "
                 "the plane at the site; RAAN off.: insertion plane minus target plane; "
                 "target phase: how far the target is ahead at insertion")
    t.caption_justify = "left"
    return t


def burns_table(plan):
    """Every burn: epoch, chaser-LVLH components and magnitude (m/s), plus totals."""
    t = _table(f"Burns (UTC, on {plan.day} unless dated); delta-v in the chaser's LVLH "
               "frame, m/s")
    t.add_column("burn")
    t.add_column("UTC", no_wrap=True)
    t.add_column("T+", no_wrap=True)
    t.add_column("x V-bar", justify="right")
    t.add_column("y -H-bar", justify="right")
    t.add_column("z R-bar", justify="right")
    t.add_column("|dv|", justify="right")
    for b in plan.burns:
        dv = b.dv_lvlh * 1e3
        _row(t, b.name, _clock(b.epoch, 1, plan.day), _hms(float(b.epoch - plan.launch_epoch)),
                  f"{dv[0]:.3f}", f"{dv[1]:.3f}", f"{dv[2]:.3f}", f"{b.magnitude * 1e3:.3f}")
    t.add_section()
    for phase, total in plan.dv_by_phase().items():
        _row(t, "", "", "", "", "", phase, f"{total * 1e3:.3f}", style="dim")
    _row(t, "total", "", "", "", "", "", f"{plan.total_dv * 1e3:.3f}", style="bold")
    legend = "; ".join(f"{b.name}: {b.purpose}" for b in plan.burns if b.phase == "phasing")
    t.caption = escape("x: along V-bar (the direction of flight); y: along -H-bar (opposite the "
                 "orbital angular momentum); z: along R-bar (positive toward the Earth). "
                 + legend + "; TA/TB: depart/stop at hold points; FA: final approach")
    t.caption_justify = "left"
    return t


def timeline_table(plan):
    """Timeline from lift-off to docking, with the range to the target."""
    t = _table(f"Timeline (UTC, on {plan.day} unless dated)")
    t.caption = escape("T+: time from lift-off; range: distance from the target's centre of mass "
                 "(hold points are measured from the docking port)")
    t.caption_justify = "left"
    t.add_column("T+", no_wrap=True)
    t.add_column("UTC", no_wrap=True)
    t.add_column("event")
    t.add_column("range", justify="right")
    t.add_column("detail")
    for e in plan.events:
        rng = ""
        if e.range_km is not None:
            rng = f"{e.range_km:.1f} km" if e.range_km >= 1.0 else f"{e.range_km * 1e3:.1f} m"
        _row(t, _hms(float(e.epoch - plan.launch_epoch)), _clock(e.epoch, 0, plan.day), e.event,
             rng,
                  e.detail)
    return t


def summary_table(plan):
    """Key numbers of the plan."""
    t = _table("Plan summary", show_header=False)
    t.add_column("item", style="bold")
    t.add_column("value")
    _row(t, "target", f"{plan.target_name} ({plan.target_source})")
    _row(t, "site", f"{plan.site.name} ({plan.site.lat_deg:.3f} N, {plan.site.lon_deg:.3f} E)")
    o = plan.opportunity
    _row(t, "lift-off", f"{plan.launch_epoch.utc.iso(1)} ({o.direction}; insertion plane "
              f"{np.degrees(o.raan_offset):+.4f} deg in RAAN from the target's, for the "
              "differential J2 regression)")
    _row(t, "insertion", plan.insertion_epoch.utc.iso(1))
    _row(t, "docking", plan.docking_epoch.utc.iso(1))
    d = plan.duration_s
    _row(t, "launch to docking", f"{int(d // 3600)} h {int(d % 3600 // 60):02d} min "
              f"(limit {plan.config.max_duration_s / 3600:.2f} h)")
    _row(t, "total delta-v", f"{plan.total_dv * 1e3:.2f} m/s in {len(plan.burns)} burns")
    _row(t, "contact miss", f"{plan.final_position_error * 1e3:.3f} m and "
              f"{plan.final_velocity_error * 1e6:.3f} mm/s from the aim (port, "
              f"{plan.aim_velocity[0] * 1e3:.2f} m/s closing)")
    if plan.closest_approach is not None:
        _row(t, "safety", plan.closest_approach)
    _row(t, "force model", plan.force_model)
    return t


def porkchop_table(pc, best, marks, *, c3_max=None, vinf_max=None):
    """The optimum of a porkchop grid and the marked dates: C3, DLA/RLA, v_inf, capture."""
    cons = []
    if c3_max is not None:
        cons.append(f"C3 <= {c3_max:g} km²/s²")
    if vinf_max is not None:
        cons.append(f"arrival v_inf <= {vinf_max:g} km/s")
    t = _table(f"{pc.departure_body.name} to {pc.arrival_body.name}: "
               f"{pc.departure.size} x {pc.arrival.size} Lambert transfers"
               + (f"; optimum under {' and '.join(cons)}" if cons else ""))
    points = [("optimum", best)] + list(marks)
    t.add_column("")
    for label, _ in points:
        t.add_column(escape(label), justify="right", no_wrap=True)
    rows = [
        ("departure (UTC)", lambda p: p.departure.utc.iso(0)[:16].replace("T", " ")),
        ("arrival (UTC)", lambda p: p.arrival.utc.iso(0)[:16].replace("T", " ")),
        ("time of flight (days)", lambda p: f"{p.tof_s / 86400:.1f}"),
        ("launch C3 (km²/s²)", lambda p: f"{p.c3:.3f}"),
        ("DLA (deg)", lambda p: f"{np.degrees(p.dla):.2f}"),
        ("RLA (deg)", lambda p: f"{np.degrees(p.rla) % 360:.2f}"),
        ("arrival v_inf (km/s)", lambda p: f"{p.vinf_arrival:.3f}"),
        ("capture delta-v (km/s)", lambda p: f"{p.capture_dv:.3f}"),
    ]
    for name, fmt in rows:
        _row(t, name, *(fmt(p) for _, p in points))
    tm = pc.timings
    t.caption = escape(
        f"Heliocentric, {'prograde' if pc.prograde else 'retrograde'}, {pc.revolutions} "
        f"revolution(s); DLA/RLA: declination and right ascension of the departure asymptote "
        f"(Earth mean equator and equinox of J2000); capture into a "
        f"{pc.capture.periapsis_altitude_km:g} km periapsis, "
        f"{pc.capture.period_s / 86400:g}-day orbit. {int(pc.valid.sum()):,} of "
        f"{tm.get('cells', pc.valid.size):,} cells have a transfer; ephemeris "
        f"{tm.get('ephemeris_s', 0):.2f} s, Lambert {tm.get('lambert_s', 0):.2f} s.")
    t.caption_justify = "left"
    return t
