"""The Topic clusters page's read side (pipeline/read/topics.py): articles per cluster over time."""
from __future__ import annotations

import pandas as pd
import pytest

from pipeline.read import topics as read_topics


def test_topics_over_time_counts_originals_by_week_and_month():
    frame = pd.DataFrame({
        "article_id": ["a", "b", "c", "d", "e"],
        "date": ["2021-10-20", "2021-10-22", "2021-10-25", "2021", "2021-10-22"],
        "duplicate_of": ["", "", "", "", "a"],
    })
    assignments = pd.DataFrame({"article_id": list("abcde"), "cluster_id": [0, 0, 1, 0, 0],
                                "map_x": 0.0, "map_y": 0.0})
    weekly = read_topics.topics_over_time(frame, assignments, freq="W")
    assert weekly.to_dict("records") == [
        {"period": "2021-10-18", "cluster_id": 0, "count": 2},   # a, b (e is a copy, d has no day)
        {"period": "2021-10-25", "cluster_id": 1, "count": 1},
    ]
    monthly = read_topics.topics_over_time(frame, assignments, freq="M")
    assert monthly.to_dict("records") == [
        {"period": "2021-10-01", "cluster_id": 0, "count": 2},
        {"period": "2021-10-01", "cluster_id": 1, "count": 1},
    ]
    with pytest.raises(ValueError):
        read_topics.topics_over_time(frame, assignments, freq="D")
