"""The read side: what the dashboard and the exports ask of a store (queries, reader, tension index, brief)."""
