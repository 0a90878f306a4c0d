"""planeval: evaluate a five-year plan's core indicators halfway through and at its end.

The method (docs/method.md) lives here as plain, typed functions; notebooks narrate and call them.
Four layers, each a folder; a module imports only from its own layer or the layers below it
(tests/test_layers.py checks it):

- ``inputs``        the plan file, the method's settings, the data model and loading, dates, the input error
- ``method``        pure arithmetic, no I/O, no prose: evidence, evaluate, forecast, backtest, scorecard,
                    coverage, projects, the result record, the forecast's calibration
- ``presentation``  records to words and pictures: sentences, labels, charts, the report's formats
- ``pipeline``      running it all: cache keys, notebook execution, assembly, the atomic publish
"""

__version__ = "0.1.0"
