"""The method: pure arithmetic from the as-of data to result records (no I/O, no prose)."""
