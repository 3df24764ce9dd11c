"""Preloaded by the worker processes of the local cluster that ``--executor dask`` starts without ``--scheduler``.

Ctrl-C in a terminal sends SIGINT to the whole foreground process group, the cluster's worker processes included.
The coordinator stops the batch itself (the runs in flight record themselves as ``cancelled``); a worker killed by
that SIGINT would instead lose its runs. So these workers ignore SIGINT; they stop when the coordinator closes the
cluster (or dies: their nanny lives in its process).
"""

from __future__ import annotations

import signal
from typing import Any


def dask_setup(worker: Any) -> None:
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: a worker not started by a nanny process (nothing to protect)
        pass
