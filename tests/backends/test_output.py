"""A runtime's output is cut into lines in linear time and bounded pieces (issue 19, item 5): stdout without
a newline must not be re-joined on every read, and AWS cuts log events at 256 KB."""

from __future__ import annotations

import asyncio
import os
import threading
import time

from workbench.backends.output import MAX_LINE_BYTES, LineReader


async def _read_all(write: bytes) -> tuple[list[str], float]:
    """Feed ``write`` through a real pipe into a LineReader; returns the lines and the loop's busiest stall."""
    read_fd, write_fd = os.pipe()
    lines: list[str] = []
    done = asyncio.Event()
    reader = LineReader(read_fd, lines.append, on_eof=done.set)

    def writer() -> None:
        with open(write_fd, "wb") as handle:
            handle.write(write)

    thread = threading.Thread(target=writer)
    worst = 0.0
    thread.start()
    last = time.perf_counter()
    while not done.is_set():
        await asyncio.sleep(0.001)
        now = time.perf_counter()
        worst, last = max(worst, now - last), now
    thread.join()
    assert reader.closed
    return lines, worst


async def test_output_without_newlines_is_cut_at_256_kb_in_linear_time() -> None:
    size = 64 * 1024 * 1024
    started = time.perf_counter()
    lines, worst = await _read_all(b"x" * size)
    elapsed = time.perf_counter() - started
    assert [len(line) for line in lines] == [MAX_LINE_BYTES] * (size // MAX_LINE_BYTES)
    # Quadratic joining took 73 s for 100 MB; linear work is well under a second per 64 MB, and no single
    # read stalls the loop.
    assert elapsed < 5, elapsed
    assert worst < 0.5, worst


async def test_lines_split_across_reads_and_a_trailing_partial() -> None:
    data = b"first\n" + b"y" * 100_000 + b"\n\nlast"
    lines, _ = await _read_all(data)
    assert lines == ["first", "y" * 100_000, "", "last"]


async def test_a_line_of_exactly_256_kb_gives_one_event() -> None:
    lines, _ = await _read_all(b"z" * MAX_LINE_BYTES + b"\nnext\n")
    assert [len(line) for line in lines] == [MAX_LINE_BYTES, 4]
