"""The two-phase engine: per-file facts and diagnostics, then project rules over the index."""
