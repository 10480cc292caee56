"""A workbench killed while it extracts a package leaves a half-extracted staging folder in the code store;
the next start removes it (issue 19, item 11), and leaves a live workbench's staging alone."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from workbench.engine import Engine

EXTRACT = """
import sys
from pathlib import Path
from workbench.engine import CodeStore
CodeStore(Path(sys.argv[1])).from_zip(Path(sys.argv[2]).read_bytes())
"""


def _many_files_zip(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for index in range(count):
            archive.writestr(f"pkg/module_{index}.py", f"VALUE = {index}\n" * 20)
    return buffer.getvalue()


def _staging(code_root: Path) -> list[Path]:
    return [path for path in code_root.glob(".*") if path.is_dir()] if code_root.is_dir() else []


async def test_half_extracted_staging_is_removed_at_the_next_start(tmp_path: Path) -> None:
    state = tmp_path / "state"
    code_root = state / "code"
    package = tmp_path / "big.zip"
    package.write_bytes(_many_files_zip(30_000))
    extractor = subprocess.Popen([sys.executable, "-c", EXTRACT, str(code_root), str(package)])
    try:
        deadline = time.monotonic() + 60
        while not any(any(folder.rglob("module_*.py")) for folder in _staging(code_root)):
            assert extractor.poll() is None, "the extraction finished before it could be interrupted"
            assert time.monotonic() < deadline, "the extraction never started"
            time.sleep(0.005)
        extractor.send_signal(signal.SIGKILL)  # a crash mid-extraction
    finally:
        extractor.wait()
    crashed = _staging(code_root)
    assert len(crashed) == 1 and str(extractor.pid) in crashed[0].name
    # A live workbench's staging (this process's) is not a leftover.
    live = code_root / f".abcdef12-{os.getpid()}-inflight"
    (live / "code").mkdir(parents=True)
    # A temporary package file of the dead process, too.
    (code_root / "packages").mkdir(exist_ok=True)
    temporary = code_root / "packages" / f".{'0' * 64}.zip.{extractor.pid}-1234.tmp"
    temporary.write_bytes(b"PK half")

    async with Engine(None, state_dir=state):
        pass
    assert not crashed[0].exists()
    assert not temporary.exists()
    assert live.is_dir()
