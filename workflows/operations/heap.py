"""The garbage collector in a long-lived process of the product (the worker) and of the tests.

What such a process loads once (its modules, Prefect, the flows) lives as long as it does; Python's collector
would still walk it at every full pass, and passes every 700 allocations, which one event's steps or one test
make many times over. `settle()`, once that is loaded, leaves it out of the passes (gc.freeze) and makes them
rarer. Measured: the worker drained 40-43 events/s instead of 32-36 (`make bench`, row 2b); the tests' processes
spent about 6 % of their CPU in collections before, about 3 % after.
"""
from __future__ import annotations

import gc

# allocations (less deallocations) between two passes over the youngest objects; then every 20th of those
# passes takes the middle generation, and every 20th of these the oldest (Python's default: 700, 10, 10)
THRESHOLDS = (20_000, 20, 20)


def settle() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
