"""Shared by the command-line tests: a run of ``main`` in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.budgets.support import NO_ENGINE

SCRIPT = """\
import io, json, sys
argv = json.loads(sys.argv[1])
environ = json.loads(sys.argv[2])
from auger.cli.console import Console
from auger.cli.main import main
out, err = io.StringIO(), io.StringIO()
code = main(argv, Console(out, err, environ))
loaded = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps({"code": int(code), "loaded": loaded, "modules": sorted(sys.modules),
                  "stdout": out.getvalue(), "stderr": err.getvalue()}))
"""


def fresh_run(argv: list[str], environ: dict[str, str], cwd: Path) -> dict[str, object]:
    """Run ``main(argv)`` in a new interpreter; its exit code, output, and the packages and
    modules it loaded."""
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(argv), json.dumps({**NO_ENGINE, **environ})],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    result: dict[str, object] = json.loads(completed.stdout)
    return result
