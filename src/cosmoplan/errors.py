"""One error hierarchy for cosmoplan.

Every exception cosmoplan raises on purpose derives from :class:`CosmoplanError`,
so a caller (or the CLI) can catch them all in one place. Messages say what was
wrong, where (file, line, column range, key path), the offending value, and what
would be right.

Warnings derive from :class:`CosmoplanWarning` so they can be filtered as a group.
"""

from __future__ import annotations

__all__ = [
    "CosmoplanError",
    "InputError",
    "ConvergenceError",
    "DataRangeError",
    "PropagationError",
    "PlanningError",
    "CosmoplanWarning",
    "DataRangeWarning",
    "StaleDataWarning",
    "PlanningWarning",
]


class CosmoplanError(Exception):
    """Root of every error cosmoplan raises deliberately."""


class InputError(CosmoplanError, ValueError):
    """Bad user input: a malformed file, a wrong argument, an impossible orbit.

    Attributes
    ----------
    source : str or None
        File name (or other origin, e.g. ``"argument 'day'"``) of the bad input.
    line : int or None
        1-based line number in ``source`` where the problem is, if known.
    field : str or None
        Name of the field, keyword or key path that is wrong.
    value : object
        The offending value, as read.
    """

    def __init__(self, message, *, source=None, line=None, field=None, value=None):
        self.source = source
        self.line = line
        self.field = field
        self.value = value
        where = []
        if source is not None:
            where.append(str(source))
        if line is not None:
            where.append(f"line {line}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class ConvergenceError(CosmoplanError, RuntimeError):
    """An iterative solver did not converge; the message gives its inputs and residual."""


class DataRangeError(CosmoplanError, ValueError):
    """An epoch lies outside the span of a bundled table (ephemeris, EOP, ...).

    Attributes
    ----------
    start, stop : str
        The span of the data that is available (ISO 8601).
    mask : numpy.ndarray or None
        Boolean mask of the requested epochs that fall outside the span.
    """

    def __init__(self, message, *, start=None, stop=None, mask=None):
        self.start = start
        self.stop = stop
        self.mask = mask
        super().__init__(message)


class PropagationError(CosmoplanError, RuntimeError):
    """A propagator could not produce a state (decayed satellite, SGP4 error code, ...).

    Attributes
    ----------
    codes : numpy.ndarray or None
        Per-epoch error codes (0 = good) when the propagator reports them.
    """

    def __init__(self, message, *, codes=None):
        self.codes = codes
        super().__init__(message)


class PlanningError(CosmoplanError):
    """A mission planner found no plan that meets the constraints it was given."""


class CosmoplanWarning(UserWarning):
    """Root of cosmoplan's warnings."""


class DataRangeWarning(CosmoplanWarning):
    """A value was extrapolated beyond a bundled table by a documented fallback."""


class StaleDataWarning(CosmoplanWarning):
    """Input data are far from the epoch where they are used (e.g. an old TLE)."""


class PlanningWarning(CosmoplanWarning):
    """A plan was found but has a property a mission analyst should review (e.g. safety)."""
