"""planeval: evaluate a five-year plan's core indicators halfway through and at its end.

The method (docs/method.md) lives here as plain, typed functions; notebooks
narrate and call them. Modules:

- ``errors``      the one exception type for bad input (file, line, field, expectation)
- ``config``      every threshold and default of the method, in one place
- ``plan``        the plan file (params/*.yaml) as typed objects
- ``data``        observations, sources and project evidence, validated with pandera
- ``dates``       partial dates and the vintage cut's comparison (standard library only)
- ``evaluate``    progress, pace, status and how sure, for every target kind (pure arithmetic)
- ``evidence``    what the rows settle: disjoint running totals, partial-year readings, evidence grades
- ``forecast``    simulated end-year paths and the probability of meeting the target
- ``calibrated``, ``calibration``   the forecast's learned error spread, and how it was scored
- ``record``      the result record: the single thing the report reads
- ``words``       the method's vocabulary and sentences (status and likelihood words) in both languages
- ``backtest``, ``scorecard``   how far to trust p; mid-term calls scored at the end year
- ``charts``, ``coverage``, ``projects``, ``i18n``, ``report``   the bilingual report
- ``notebook``    helpers that keep the notebooks thin
- ``execute``, ``runner``, ``assemble``, ``hashing``, ``fingerprint``   running it all: cache, kernels
- ``publish``     where a run writes, the lock, and the atomic swap of the finished report
"""

__version__ = "0.1.0"
