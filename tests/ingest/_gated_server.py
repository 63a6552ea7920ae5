"""A stand-in for `sohoa serve`'s hand-off side: the warm pool (engines held at a gate) offered on the control
socket of a data directory, until killed. ``python -m tests.ingest._gated_server DATA GATE``."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from sohoa.services.platform.control import ControlServer
from sohoa.services.platform.remote_pool import register_pool
from sohoa.services.platform.warm_pool import WarmPool
from sohoa.settings import Settings
from tests.ingest._gated_engine import gated_factory

if __name__ == "__main__":
    settings = Settings(data=Path(sys.argv[1]), workers=1)
    pool = WarmPool(settings, gated_factory(sys.argv[2])).start()
    control = ControlServer(settings)
    register_pool(control, pool)
    control.start()
    while True:
        signal.pause()  # the test kills the process group
