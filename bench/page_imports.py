"""What a page load imports, how long the imports take, and the process's peak memory, page by page.

Each page of the dashboard runs once in its own fresh process (Streamlit's AppTest: the entry point, then
the page), started with ``python -X importtime``. Per page it prints the wall time of the two script runs,
the summed import time (every module's own time, from ``-X importtime``), the number of modules
imported, whether spaCy and scikit-learn were imported, and the peak RSS (``ru_maxrss``).

    .venv/bin/python bench/page_imports.py --store .store/seeds [--repo .]

``--repo`` runs another checkout's dashboard (to compare before and after a change) with this script.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("overview", "topics", "actors", "spending", "tension", "reader", "data")

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {repo!r})
from streamlit.testing.v1 import AppTest
t0 = time.perf_counter()
at = AppTest.from_file({entry!r}, default_timeout=120)
at.run()
if {page!r} != "overview":
    at.switch_page("views/{page}.py").run()
seconds = time.perf_counter() - t0
print("RESULT " + json.dumps({{"seconds": seconds, "exception": bool(at.exception),
    "spacy": "spacy" in sys.modules, "sklearn": "sklearn" in sys.modules,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def measure(page: str, repo: Path, store: str) -> dict:
    """Run one page in a fresh ``python -X importtime`` process; return its figures."""
    code = _CHILD.format(repo=str(repo), entry=str(repo / "dashboard" / "app.py"), page=page)
    env = {**os.environ, "NEWSINTEL_STORE": store, "PYTHONPATH": str(repo)}
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True,
                          env=env, cwd=repo, timeout=600)
    result = next((json.loads(l[7:]) for l in proc.stdout.splitlines() if l.startswith("RESULT ")), None)
    if result is None:
        raise RuntimeError(f"page {page} did not run: {proc.stderr[-2000:]}")
    own = [int(m.group(1)) for m in map(_LINE.match, proc.stderr.splitlines()) if m]
    result.update(page=page, import_s=sum(own) / 1e6, modules=len(own))
    return result


def main(argv: list[str] | None = None) -> int:
    """Print one line per page and the medians."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True, help="a built store (NEWSINTEL_STORE)")
    ap.add_argument("--repo", default=str(ROOT), help="the checkout whose dashboard runs")
    args = ap.parse_args(argv)
    repo = Path(args.repo).resolve()
    print(f"{'page':<9} {'run s':>6} {'imports s':>9} {'modules':>7} {'spaCy':>5} {'sklearn':>7} {'peak RSS MB':>11}")
    rows = []
    for page in PAGES:
        r = measure(page, repo, str(Path(args.store).resolve()))
        rows.append(r)
        flag = " (page raised)" if r["exception"] else ""
        print(f"{page:<9} {r['seconds']:>6.2f} {r['import_s']:>9.2f} {r['modules']:>7} {str(r['spacy']):>5} "
              f"{str(r['sklearn']):>7} {r['peak_rss_mb']:>11.0f}{flag}", flush=True)
    med = sorted(rows, key=lambda r: r["import_s"])[len(rows) // 2]
    print(f"median imports {med['import_s']:.2f} s; pages importing spaCy: "
          f"{sum(r['spacy'] for r in rows)}, scikit-learn: {sum(r['sklearn'] for r in rows)}; "
          f"max peak RSS {max(r['peak_rss_mb'] for r in rows):.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
