"""The pipeline: declared steps, cache keys, notebook execution and the atomic publish."""
