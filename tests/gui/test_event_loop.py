"""The loop the GUI runs on: qasync with batched ready callbacks, and PySide6's cross-thread signals."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading

from workbench.gui.loop import WorkbenchEventLoop


async def test_ready_callbacks_run_in_order_and_cancelled_ones_do_not() -> None:
    loop = asyncio.get_running_loop()
    assert isinstance(loop, WorkbenchEventLoop)
    seen: list[int] = []
    done = loop.create_future()
    handles = [loop.call_soon(seen.append, i) for i in range(100)]
    handles[50].cancel()
    loop.call_soon(done.set_result, None)
    await done
    assert seen == [i for i in range(100) if i != 50]


async def test_threads_wake_the_loop() -> None:
    loop = asyncio.get_running_loop()
    results = await asyncio.gather(*(loop.run_in_executor(None, pow, i, 2) for i in range(200)))
    assert results == [i * i for i in range(200)]
    event = asyncio.Event()
    threading.Thread(target=lambda: loop.call_soon_threadsafe(event.set)).start()
    await asyncio.wait_for(event.wait(), 5)


def test_signals_from_threads_do_not_corrupt_memory() -> None:
    """PySide6 6.12.0 crashed here (a reference-count error on every cross-thread emit carrying Python
    objects), which is how qasync hands executor results to the loop; pyproject.toml excludes it."""
    script = textwrap.dedent("""
        import sys, threading
        from PySide6.QtCore import QCoreApplication, QObject, Signal
        class Sender(QObject):
            signal = Signal(object, tuple)
        app = QCoreApplication([])
        sender, received = Sender(), []
        def slot(callback, args):
            received.append(args)
            if len(received) == 20000:
                app.quit()
        sender.signal.connect(slot)
        threading.Thread(target=lambda: [sender.signal.emit(len, ("x",)) for _ in range(20000)]).start()
        app.exec()
        print(len(received))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "20000"
