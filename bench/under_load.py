#!/usr/bin/env python3
"""Same bytes under load: two ``run_all.py --force`` runs with every core kept busy by CPU hogs must
write byte-identical reports (a busy kernel splits printed lines into several stream messages;
the executed notebooks must not show it). Not run by the tests: it takes minutes.

    .venv/bin/python bench/under_load.py                   # two indicators
    .venv/bin/python bench/under_load.py --only new_jobs pensions   # others

Exit status 0 when both runs agree, 1 with the differing files listed.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def hog() -> None:
    while True:
        pass


def tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", nargs="+", default=["new_jobs", "ss_card_holders"])
    p.add_argument("--hogs", type=int, default=os.cpu_count() or 2, help="busy processes (default: one per core)")
    args = p.parse_args()
    hogs = [multiprocessing.Process(target=hog, daemon=True) for _ in range(args.hogs)]
    for h in hogs:
        h.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            trees = []
            for n in (1, 2):
                out = Path(tmp) / "out"
                subprocess.run([sys.executable, str(ROOT / "run_all.py"), "--year", "2023", "--force", "--out", str(out),
                                "--only", *args.only], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
                trees.append(tree(out / "2023"))
                print(f"run {n}: {len(trees[-1])} files")
    finally:
        for h in hogs:
            h.kill()
    differ = sorted(k for k in trees[0].keys() | trees[1].keys() if trees[0].get(k) != trees[1].get(k))
    for name in differ:
        print(f"differs: {name}")
    print("identical" if not differ else f"{len(differ)} file(s) differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
