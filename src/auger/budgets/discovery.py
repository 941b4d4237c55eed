"""Find the budgets to apply: ``--budgets``, ``budgets.yaml``/``.auger.yaml``, ``.dive-ci``.

The order: an explicit ``--budgets FILE``; else ``budgets.yaml`` or ``.auger.yaml`` in the
working directory; else ``--ci-config FILE`` or a ``.dive-ci`` there; else dive's defaults.
dive's threshold flags (``--lowestEfficiency`` ...) apply last, over whatever was found, as they
do in dive.
"""

from __future__ import annotations

from pathlib import Path

from auger.budgets.dive_ci import defaults, load_dive_ci, with_flags
from auger.budgets.loader import load_budgets
from auger.budgets.schema import Budgets

BUDGET_FILES = ("budgets.yaml", ".auger.yaml")
DIVE_CI = ".dive-ci"


def find_configured(
    cwd: Path, budgets_file: Path | None = None, ci_config: Path | None = None
) -> Budgets | None:
    """The budgets a file configures (no defaults): ``None`` when there is no file."""
    configured = budgets_file is not None or ci_config is not None
    if not configured and not any((cwd / n).is_file() for n in (*BUDGET_FILES, DIVE_CI)):
        return None
    return discover(cwd, budgets_file, ci_config)


def discover(
    cwd: Path,
    budgets_file: Path | None = None,
    ci_config: Path | None = None,
    dive_flags: dict[str, str | None] | None = None,
) -> Budgets:
    """The budgets that apply in ``cwd`` given the command line's choices."""
    found: Budgets | None = None
    if budgets_file is not None:
        found = load_budgets(budgets_file)
    else:
        for name in BUDGET_FILES:
            if (cwd / name).is_file():
                found = load_budgets(Path(name) if cwd == Path.cwd() else cwd / name)
                break
    if ci_config is not None:
        if found is None:
            found = load_dive_ci(ci_config)
        else:  # only the rules the file sets, over the budgets file
            found = found.merged(load_dive_ci(ci_config, with_defaults=False))
    elif found is None and (cwd / DIVE_CI).is_file():
        found = load_dive_ci(Path(DIVE_CI) if cwd == Path.cwd() else cwd / DIVE_CI)
    if found is None:
        found = defaults()
    return with_flags(found, dive_flags or {})
