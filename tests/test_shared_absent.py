"""Without ../shared (LibreOffice driver, fonts) the office tests skip with a reason, never fail
with FileNotFoundError: pytest in a subprocess with XLTOOLS_SHARED pointing nowhere."""
from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT, with_pythonpath


def test_office_tests_skip_with_a_reason_without_shared(tmp_path):
    env = with_pythonpath({**os.environ, "XLTOOLS_SHARED": str(tmp_path / "no-shared")}, ROOT)
    # test_row_deleted runs the LibreOffice batch in a fixture; test_gnumeric also needs ssconvert
    res = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                          "tests/test_row_deleted.py", "tests/test_gnumeric.py"],
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    out = res.stdout + res.stderr
    assert res.returncode == 0, out[-3000:]
    assert " skipped" in out and "XLTOOLS_SHARED" in out, out[-3000:]
    assert "error" not in out.lower() and "FileNotFoundError" not in out, out[-3000:]
    assert " passed" not in out  # every test of both files needs the office
