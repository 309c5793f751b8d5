"""Peer Circles: a Discord bot for chronic-pain peer-support circles."""

import os

# One BLAS thread. numpy's products in the bot are small (the encoder head, pooling; the encoder
# itself runs in onnxruntime with one thread of its own), so a second BLAS thread gains nothing
# and, on a shared host (the event loop, other processes), its spin-waiting made the numpy encoder
# 5-7x slower in round 9's measurement (docs/screening.md). Set here, before anything imports
# numpy; an operator's own setting wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
