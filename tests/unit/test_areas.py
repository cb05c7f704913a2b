"""Area boundaries in services/: an area uses another area through its public modules only.

services/ is one package per business area (partners, links, tracking, ledger, support, faq, messaging, …) on
top of shared foundations (kernel, db, shared). Rules, checked on every import statement:
  1. Nothing crosses into another area's private parts: modules or names starting with "_".
  2. Screens are an area's own presentation: no other area imports them (use cases and queries are the API the
     REST API, CSV and dashboard reuse; screens are for the chat only). services/app.py, the wiring, is exempt.
  3. Foundations do not depend on areas, except on their `status` modules (plain enums the models default to).
     kernel/conversation.py, which routes free text to the areas' use cases, is the one known exception.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "services"
FOUNDATIONS = {"kernel", "db", "shared"}
WIRING = {"app.py", "routes.py"}  # top-level modules that know every area by design
FOUNDATION_EXCEPTIONS = {"kernel/conversation.py"}


def _imports(path: Path) -> list[tuple[str, str]]:
    """(imported module, imported name or "") for every `services.…` import in the file."""
    found: list[tuple[str, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("services"):
            for alias in node.names:
                if node.module == "services" or len(node.module.split(".")) == 2:
                    found.append((f"{node.module}.{alias.name}", ""))  # from services.area import module
                else:
                    found.append((node.module, alias.name))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, "") for alias in node.names if alias.name.startswith("services."))
    return found


def _violations() -> list[str]:
    problems = []
    for path in sorted(SERVICES.rglob("*.py")):
        rel = path.relative_to(SERVICES).as_posix()
        if rel in WIRING:
            continue
        area = rel.split("/")[0]
        for module, name in _imports(path):
            parts = module.split(".")
            if len(parts) < 2 or parts[1] == area:
                continue
            target, leaf = parts[1], parts[-1]
            where = f"{rel}: {module}{'.' + name if name else ''}"
            if leaf.startswith("_") or name.startswith("_"):
                problems.append(f"{where} — private to {target}")
            if target not in FOUNDATIONS and leaf == "screens":
                problems.append(f"{where} — another area's screens")
            if area in FOUNDATIONS and target not in FOUNDATIONS and leaf != "status" \
                    and rel not in FOUNDATION_EXCEPTIONS:
                problems.append(f"{where} — a foundation depending on an area")
    return problems


def test_areas_use_each_other_through_public_modules_only():
    assert _violations() == []


def test_the_rules_catch_a_violation(tmp_path, monkeypatch):
    """The checker is not vacuous: a planted bad module is reported for each rule."""
    fake = tmp_path / "services"
    for area, source in {
        "kernel/bad.py": "from services.links.service import LinksService\n",
        "faq/bad.py": "from services.links.screens import recruit\nfrom services.ledger.entries import _key\n",
        "links/screens.py": "", "links/service.py": "", "ledger/entries.py": "",
    }.items():
        (fake / area).parent.mkdir(parents=True, exist_ok=True)
        (fake / area).write_text(source)
    monkeypatch.setattr(sys.modules[__name__], "SERVICES", fake)
    found = "\n".join(_violations())
    assert "kernel/bad.py: services.links.service.LinksService — a foundation depending on an area" in found
    assert "another area's screens" in found and "private to ledger" in found
