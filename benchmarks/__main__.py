"""`python -m benchmarks [--quick] [NAME ...]`: run every benchmark, each in its own process.

Each benchmark prints a readable table and, as its last line, one JSON object of figures; this
runner repeats those JSON lines at the end as a summary.
"""

from __future__ import annotations

import argparse
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def discover() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if not m.name.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short smoke runs")
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default: all of {', '.join(discover())})")
    args = parser.parse_args(argv)
    names = args.names or discover()
    unknown = set(names) - set(discover())
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    summary: list[dict[str, object]] = []
    failed = 0
    for name in names:
        print(f"\n### {name}", flush=True)
        cmd = [sys.executable, "-m", f"benchmarks.{name}", *(["--quick"] if args.quick else [])]
        proc = subprocess.run(cmd, cwd=HERE.parent, capture_output=True, text=True, check=False)
        sys.stdout.write(proc.stdout)
        if proc.returncode != 0:
            failed += 1
            sys.stdout.write(proc.stderr[-2000:])
            summary.append({"benchmark": name, "error": f"exit {proc.returncode}"})
            continue
        lines = [line for line in proc.stdout.strip().splitlines() if line.strip()]
        try:
            summary.append(json.loads(lines[-1]))
        except (IndexError, ValueError):
            failed += 1
            summary.append({"benchmark": name, "error": "no JSON summary line"})
    print("\n### summary")
    for row in summary:
        print(json.dumps(row))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
