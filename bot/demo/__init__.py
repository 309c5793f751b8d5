"""`python -m bot demo`: the runner that starts the real bot against the emulator (tests and
benchmarks use it too), the walk-through and its scenes.
"""

