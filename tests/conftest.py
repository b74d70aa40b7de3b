"""Shared test fixtures.

Reference data live in ``../shared/refdata/`` beside the repository (see the project
brief); ``COSMOPLAN_REFDATA`` may point elsewhere. Tests that need them fail loudly if
they are missing rather than skipping silently.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same pseudo-random examples on every run (CI included): a rare
# failing draw is found once, here, and fixed, instead of failing some later clean clone.
settings.register_profile("cosmoplan", derandomize=True)
settings.load_profile("cosmoplan")

REPO_ROOT = Path(__file__).resolve().parents[1]
REFDATA = Path(os.environ.get("COSMOPLAN_REFDATA", REPO_ROOT.parent / "shared" / "refdata"))


@pytest.fixture(scope="session")
def refdata() -> Path:
    """Path of the shared reference data directory (fails the test if absent)."""
    if not REFDATA.is_dir():
        pytest.fail(
            f"reference data not found at {REFDATA}; clone the project next to shared/ or set "
            "COSMOPLAN_REFDATA"
        )
    return REFDATA
