"""numba compilation with an on-disk cache when one can be written, without otherwise.

``numba.njit(cache=True)`` refuses to decorate (RuntimeError "no locator available")
when neither the package folder (``__pycache__``) nor the user cache directory
(``NUMBA_CACHE_DIR``, or ``~/.cache``) is writable: a system-wide install used by
another user, a read-only container. Then cosmoplan compiles in memory at first use
(about a minute for everything, once per process) instead of failing to import.
"""

from __future__ import annotations

import numba

__all__ = ["jit"]


def jit(func=None, **options):
    """``numba.njit(cache=True, **options)``, falling back to ``cache=False``.

    Use as ``@jit`` or ``@jit(error_model="numpy")``.
    """

    def decorate(f):
        try:
            return numba.njit(cache=True, **options)(f)
        except RuntimeError as exc:
            if "cannot cache" not in str(exc):
                raise
            return numba.njit(cache=False, **options)(f)

    return decorate if func is None else decorate(func)
