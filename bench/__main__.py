"""python -m bench [name …]: runs every bench/<name>.py that has a main() (all of them when no name is given)."""
from __future__ import annotations

import asyncio
import importlib
import inspect
import pkgutil
import sys
import time
import traceback

import bench


def discover() -> list[str]:
    return sorted(info.name for info in pkgutil.iter_modules(bench.__path__) if not info.name.startswith("_"))


def main(argv: list[str]) -> int:
    available = discover()
    wanted = argv or available
    unknown = sorted(set(wanted) - set(available))
    if unknown:
        print(f"unknown bench: {', '.join(unknown)}; available: {', '.join(available)}", file=sys.stderr)
        return 2
    failed = []
    for name in wanted:
        started = time.perf_counter()
        try:
            entry = getattr(importlib.import_module(f"bench.{name}"), "main", None)
            if not callable(entry):
                continue
            print(f"=== bench.{name}", flush=True)
            result = entry()
            if inspect.isawaitable(result):
                asyncio.run(result)  # type: ignore[arg-type]
        except Exception:  # one broken bench must not hide the others' numbers
            failed.append(name)
            traceback.print_exc()
        print(f"=== bench.{name} done in {time.perf_counter() - started:.1f}s\n", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
