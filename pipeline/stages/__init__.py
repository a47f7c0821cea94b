"""The stages: per-article (clean, dates, dedup, actors, signals, figures) and global (topics) steps of a run."""
