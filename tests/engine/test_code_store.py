from __future__ import annotations

import concurrent.futures
import threading
from pathlib import Path

from workbench.engine.catalogue.code_store import _write_atomically


def test_atomic_writes_from_threads_of_one_process(tmp_path: Path) -> None:
    """Two functions sharing a CodeUri are reloaded together (a save in the GUI), so one process writes the
    same package from two worker threads: neither may pull the other's temporary file away."""
    target = tmp_path / "package.zip"
    start = threading.Barrier(4)

    def write(worker: int) -> None:
        start.wait()
        for round_ in range(300):
            _write_atomically(target, f"{worker}-{round_}".encode())

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        for future in [pool.submit(write, worker) for worker in range(4)]:
            future.result()
    assert target.read_bytes().split(b"-")[1] == b"299"
    assert [p.name for p in tmp_path.iterdir()] == ["package.zip"]
