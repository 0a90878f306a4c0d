"""The inputs: the plan file, the data model and loading, dates and the input error type."""
