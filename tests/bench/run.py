"""`make bench`: run every tests/bench/bench_*.py module and write tests/bench/results.json.

BENCH_ONLY=calls,projects runs only those modules. Each module defines
`run(ctx) -> dict` (see harness.py for the context).
"""

import importlib.util
import json
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from tests.bench import harness  # noqa: E402


def main() -> int:
    env = harness.production_env()
    os.environ.update(env)
    harness.prepare(env)

    import django

    django.setup()

    only = {name for name in os.environ.get("BENCH_ONLY", "").split(",") if name}
    modules = sorted(HERE.glob("bench_*.py"))
    port = harness.free_port()
    server = harness.start_server(env, port)
    ctx = harness.Context(f"http://127.0.0.1:{port}")
    results: dict = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
        "modules": {},
    }
    failed = False
    try:
        for path in modules:
            name = path.stem.removeprefix("bench_")
            if only and name not in only:
                continue
            spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            started = time.perf_counter()
            try:
                figures = module.run(ctx)
            except Exception:
                traceback.print_exc()
                figures = {"error": traceback.format_exc(limit=3)}
                failed = True
            figures["module_seconds"] = round(time.perf_counter() - started, 1)
            results["modules"][name] = figures
            print(f"\n== {name}")
            for key, value in figures.items():
                print(f"  {key:<45} {value}")
    finally:
        server.terminate()
        server.wait(timeout=10)
    out = HERE / "results.json"
    out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\nResults written to {out.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
