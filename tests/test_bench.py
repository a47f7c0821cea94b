"""The browser bench's verdict against the issues' goals (bench/browser_bench.py): what it says must follow
the figures, so a slow page or a slow click is reported as a miss, never hidden behind the others."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from browser_bench import goal_lines  # noqa: E402

FAST = {"": [1.4, 1.5, 1.6], "topics": [1.5, 1.5, 1.7]}


def test_every_goal_met_is_said_with_the_slowest_figures():
    lines = goal_lines({"new browser": FAST}, {"Overview chart click": [0.4, 0.42, 0.45]}, 463)
    assert lines[0] == ("first paint ≤ 2 s, new browser: median met on 2 of 2 pages (slowest median 1.50 s, "
                        "overview; slowest single load 1.70 s)")
    assert lines[1] == "filter change ≤ 0.5 s: median met on 1 of 1 kinds of change (slowest median 0.42 s, Overview chart click)"
    assert lines[2] == "peak RSS ≤ 1024 MB: met (463 MB)"


def test_a_page_over_the_goal_is_counted_and_named():
    slow = FAST | {"spending": [2.1, 2.3, 1.9]}
    line = goal_lines({"new tab": slow}, {"click": [0.3]}, 500)[0]
    assert "median met on 2 of 3 pages" in line
    assert "slowest median 2.10 s, spending" in line and "slowest single load 2.30 s" in line


def test_a_slow_filter_change_and_too_much_memory_are_misses():
    lines = goal_lines({"new browser": FAST}, {"chart click": [0.45], "row click": [0.6, 0.55, 0.4]}, 1500)
    assert "median met on 1 of 2 kinds of change (slowest median 0.55 s, row click)" in lines[1]
    assert lines[2] == "peak RSS ≤ 1024 MB: NOT met (1500 MB)"
