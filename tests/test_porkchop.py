"""Porkchop grids (cosmoplan.interplanetary.porkchop) on the 2020 Earth-Mars window.

Tianwen-1 (missions.json: CNSA via Xinhua/CNR): launch 2020-07-23 04:41 UTC, Mars orbit
insertion 2021-02-10 11:52 UTC, periapsis ~400 km, period ~10 days.
"""

import numpy as np
import pytest

from cosmoplan.errors import DataRangeWarning, InputError, PlanningError
from cosmoplan.interplanetary.porkchop import CaptureOrbit, porkchop, transfer
from cosmoplan.kepler import propagate_kepler
from cosmoplan.time import Epoch

TW1_LAUNCH = "2020-07-23T04:41:00Z"
TW1_ARRIVAL = "2021-02-10T11:52:00Z"
MU_SUN = 132712440040.944


@pytest.fixture(scope="module")
def window():
    """The 2020 window on a 2-day grid (the bundled scenario uses 1 day)."""
    return porkchop("earth", "mars", "2020-06-01/2020-09-30", "2020-12-01/2021-09-30",
                    step_days=2.0)


def test_optimum_in_july_august_2020(window):
    """The issue: the optimum launch of the 2020 type-I window lies in July-August 2020."""
    best = window.best(c3_max=20.0, vinf_max=4.0)
    assert "2020-07-01" <= best.departure.utc.iso(0)[:10] <= "2020-08-31"
    assert 8.0 < best.c3 < 20.0  # the 2020 window's minimum C3 is ~13-15 km^2/s^2


def test_tianwen1_dates_are_feasible(window):
    """Tianwen-1's real dates give C3 < 20 km^2/s^2 and arrival v_inf < 4 km/s, and the
    nearest grid cell lies inside the region the plot marks as feasible."""
    tw1 = transfer("earth", "mars", TW1_LAUNCH, TW1_ARRIVAL,
                   capture=CaptureOrbit(400.0, 10 * 86400.0))
    assert tw1.c3 < 20.0 and tw1.vinf_arrival < 4.0
    assert 0.5 < tw1.capture_dv < 1.5  # Mars orbit insertion into a 400 km x 10-day orbit
    i = int(np.argmin(np.abs(window.departure - Epoch.from_iso(TW1_LAUNCH))))
    j = int(np.argmin(np.abs(window.arrival - Epoch.from_iso(TW1_ARRIVAL))))
    assert window.valid[i, j]
    assert window.c3[i, j] <= 20.0 and window.vinf_arrival[i, j] <= 4.0


def test_grid_cell_equals_a_direct_solution_and_flies(window):
    """A cell's values equal the transfer solved on its own, and the Lambert velocity,
    propagated as a two-body orbit about the Sun, reaches Mars at arrival."""
    from cosmoplan.ephemeris import default_ephemeris

    i, j = 20, 120
    assert window.valid[i, j]
    pt = window.evaluate(window.departure[i], window.arrival[j])
    assert pt.c3 == pytest.approx(window.c3[i, j], rel=1e-9)
    assert pt.vinf_arrival == pytest.approx(window.vinf_arrival[i, j], rel=1e-9)
    eph = default_ephemeris()
    r1, v1 = eph.position("earth", "sun", window.departure[i], velocity=True)
    r2 = eph.position("mars", "sun", window.arrival[j])
    r, _ = propagate_kepler(r1, v1 + pt.vinf_departure_vec, pt.tof_s, MU_SUN)
    assert np.linalg.norm(r - r2) < 1e-3  # km


def test_masks_are_explicit(window):
    """Cells without a transfer hold NaN and a non-zero status; none is silently NaN."""
    assert np.all(np.isfinite(window.c3[window.valid]))
    assert np.all(np.isnan(window.c3[~window.valid]))
    assert np.all(window.status[~window.valid] != 0)


@pytest.mark.parametrize("kwargs,field", [
    (dict(launch="2020-09-30/2020-06-01"), "launch"),
    (dict(arrival_body="pluto"), "arrival_body"),
    (dict(step_days=0.0), "step_days"),
    (dict(launch="2020-06-01"), "launch"),
])
def test_bad_input_names_the_argument(kwargs, field):
    args = dict(departure_body="earth", arrival_body="mars", launch="2020-06-01/2020-09-30",
                arrive="2020-12-01/2021-09-30", step_days=10.0)
    args.update(kwargs)
    with pytest.raises(InputError) as exc:
        porkchop(args.pop("departure_body"), args.pop("arrival_body"), args.pop("launch"),
                 args.pop("arrive"), **args)
    assert exc.value.field == field


def test_dates_outside_the_ephemeris():
    """DE421 ends in 2053: a 2060 window is refused, naming the window (the UTC epochs
    themselves are also flagged: ERFA's leap-second table does not reach 2060)."""
    with pytest.warns(DataRangeWarning):
        with pytest.raises(InputError, match="de421.bsp") as exc:
            porkchop("earth", "mars", "2060-01-01/2060-03-01", "2060-08-01/2060-12-01",
                     step_days=10.0)
    assert exc.value.field == "launch"


def test_zero_time_of_flight():
    with pytest.raises(InputError, match="time of flight must be positive") as exc:
        transfer("earth", "mars", TW1_LAUNCH, TW1_LAUNCH)
    assert exc.value.field == "arrival"


def test_no_feasible_cell_says_what_the_grid_offers(window):
    with pytest.raises(PlanningError, match="lowest C3"):
        window.best(c3_max=1.0)


def test_plot_and_csv(window, tmp_path):
    best = window.best(c3_max=20.0, vinf_max=4.0)
    png = window.plot(tmp_path / "p.png", marks=[("Tianwen-1", TW1_LAUNCH, TW1_ARRIVAL)],
                      c3_max=20.0, vinf_max=4.0, best=best)
    assert png.stat().st_size > 20_000
    csv = window.to_csv(tmp_path / "p.csv").read_text().splitlines()
    assert csv[0].startswith("departure_utc,arrival_utc,time_of_flight_days,c3_km2_s2")
    assert len(csv) == 1 + int(window.valid.sum())


def test_arrival_window_before_launch_window():
    with pytest.raises(InputError, match="ends before the launch window starts") as exc:
        porkchop("earth", "mars", "2021-06-01/2021-09-30", "2020-12-01/2021-01-30")
    assert exc.value.field == "arrive"
