"""planeval: evaluate a five-year plan's core indicators halfway through and at its end.

The method (../METHOD.md in the design material) lives here as plain, typed functions; notebooks
narrate and call them. Modules:

- ``errors``   the one exception type for bad input (file, row, field, expectation)
- ``config``   every threshold and default of the method, in one place
- ``plan``     the plan file (params/*.yaml) as typed objects
- ``data``     observations, sources and project evidence, validated with pandera
- ``evaluate`` progress, pace and status for every target kind (pure arithmetic)
- ``forecast`` simulated end-year paths and the probability of meeting the target
- ``record``   the result record: the single thing the report reads
"""

__version__ = "0.1.0"
