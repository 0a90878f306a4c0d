"""Presentation: records to words, labels, charts and the report's output formats."""
