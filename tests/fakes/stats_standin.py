"""TEMPORARY stand-in for services/stats/export.py (branch stats-core owns it, not committed there yet) with the
agreed interface `to_csv(report) -> bytes`, so the dashboard's CSV download can be tested now. install() adds the
module only while it is missing; delete this file (and its two lines in tests/conftest.py) once it lands."""
from __future__ import annotations

import csv
import importlib.util
import io
import sys
import types


def to_csv(report) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["key", "label", "clicks", "unique_clicks", *report.totals.conversions])
    for row in report.rows:
        f = row.figures
        writer.writerow([row.key, row.label, f.clicks, f.unique_clicks, *f.conversions.values()])
    return ("\ufeff" + out.getvalue()).encode()


def install() -> None:
    import services.stats as package

    if importlib.util.find_spec("services.stats.export") is not None:
        return
    module = types.ModuleType("services.stats.export")
    module.to_csv = to_csv  # type: ignore[attr-defined]
    sys.modules["services.stats.export"] = module
    package.export = module  # type: ignore[attr-defined]
