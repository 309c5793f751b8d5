"""Peer Circles: a Discord bot for chronic-pain peer-support circles."""

import os

# One BLAS thread. The screening encoder's matrices are small (a 64-token window x 384), so a second
# BLAS thread gains nothing on a quiet machine and, on a shared host (the event loop, other
# processes), its spin-waiting made an encoder call 5-7x slower in round 9's measurement
# (docs/screening.md). Set here, before anything imports numpy; an operator's own setting wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
