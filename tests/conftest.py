"""Where the external conformance data lives, and parametrising tests over its files.

The data sits next to the repository in ``../shared/conformance`` (override with the
environment variable ``JOINTCHECK_CONFORMANCE_DIR``). When it is missing, every test that needs
it is skipped with one clear message instead of failing, except under ``CI=true``: CI always
has the data, so there a missing folder fails the run rather than passing it silently.

A test that takes a ``conformance_file`` argument and carries
``@pytest.mark.conformance_files("some-suite/*.json", ...)`` is run once per matching file,
with the file's path relative to the data folder as its id.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ENV_VAR = "JOINTCHECK_CONFORMANCE_DIR"


def conformance_root() -> Path:
    """Return the folder the conformance data should be in (it may not exist)."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured).expanduser().resolve()
    return Path(__file__).resolve().parents[1].parent / "shared" / "conformance"


def missing_message(root: Path) -> str:
    """Return the reason given when the data is not there (and fail under CI)."""
    message = (f"external conformance data not found at {root} (set {ENV_VAR}); "
               "the project's own tests cover the same stages")
    if os.environ.get("CI") == "true":
        pytest.fail(message + " -- but CI must have it")
    return message


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "conformance_files(*patterns): run the test once per conformance file matching the "
        "glob patterns (relative to the conformance folder), passed as `conformance_file`",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "conformance_file" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("conformance_files")
    patterns = marker.args if marker else ()
    root = conformance_root()
    files = sorted({p for pattern in patterns for p in root.glob(pattern)}) if root.is_dir() else []
    if files:
        metafunc.parametrize("conformance_file", files,
                             ids=[path.relative_to(root).as_posix() for path in files])
        return
    reason = missing_message(root) if not root.is_dir() else f"no files match {patterns} in {root}"
    skipped = pytest.param(None, marks=pytest.mark.skip(reason=reason))
    metafunc.parametrize("conformance_file", [skipped], ids=["no-data"])


@pytest.fixture(scope="session")
def conformance_dir() -> Path:
    """Return the conformance data folder, or skip the test when it is not there."""
    root = conformance_root()
    if not root.is_dir():
        pytest.skip(missing_message(root))
    return root
