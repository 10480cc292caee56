"""GUI responsiveness under load: the event loop's lag while the engine serves >= 500 invocations/s and the
concurrency graph, environment map and log viewer update live (offscreen unless a display is set) - and, with
the views of what delivers events floating beside them, the Asynchronous tab (fed by a stream of asynchronous
invocations during the load), the Monitor and the Traces.

    python bench/gui_lag.py [--quick] [--concurrency N]

Lag is how late a 10 ms Qt timer fires: what a user feels as a sluggish window. Prints JSON lines:
{"name": "gui_event_loop_lag", "unit": "ms", "p50", "p99", "n"} and {"name": "gui_load_rate", "unit": "inv/s",
"value"}.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QWidget

from bench._common import emit, emit_value, log
from workbench.gui.app import application, wait_until_running
from workbench.gui.loop import WorkbenchEventLoop
from workbench.gui.main_window import MainWindow
from workbench.model.project import load_project

TICK_MS = 10
#: Asynchronous invocations per second during the load.
ASYNC_RATE = 50


class LagProbe:
    """A precise 10 ms single-shot Qt timer, re-armed at each firing; each firing records how late it came.
    (A repeating timer would fold several late ticks into one and hide lag.)"""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._armed_at = 0.0

    def start(self) -> None:
        self.samples.clear()
        self._arm()

    def stop(self) -> None:
        self._timer.stop()

    def _arm(self) -> None:
        self._armed_at = time.perf_counter()
        self._timer.start()

    def _tick(self) -> None:
        self.samples.append(max(0.0, (time.perf_counter() - self._armed_at) * 1000 - TICK_MS))
        self._arm()


class PaintCounter(QObject):
    """Counts paint events of the live panes, to show they really redrew during the run."""

    def __init__(self, widgets: dict[str, QWidget]) -> None:
        super().__init__()
        self.counts = dict.fromkeys(widgets, 0)
        self._names = {id(widget): name for name, widget in widgets.items()}
        for widget in widgets.values():
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            self.counts[self._names[id(watched)]] += 1
        return False


def write_project(root: Path) -> Path:
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("def handler(event, context):\n    return {'ok': True}\n")
    (root / "template.yaml").write_text(
        "Resources:\n  Noop:\n    Type: AWS::Serverless::Function\n    Properties:\n      FunctionName: noop\n"
        "      CodeUri: src\n      Handler: app.handler\n      Runtime: python3.11\n      MemorySize: 128\n")
    return root / "template.yaml"


async def async_stream(window: MainWindow, stop: asyncio.Event) -> int:
    """Asynchronous invocations at about ASYNC_RATE a second while the load runs (the Asynchronous tab and the
    Monitor follow them); how many were queued."""
    engine = window.session.require()
    sent = 0
    while not stop.is_set():
        await engine.invoke_async("noop", b"{}")
        sent += 1
        try:
            await asyncio.wait_for(stop.wait(), 1 / ASYNC_RATE)
        except TimeoutError:
            pass
    return sent


async def measure(window: MainWindow, requests: int, concurrency: int) -> None:
    window.show()
    window.start_engine()
    await wait_until_running(window)
    toolbar = window.load_toolbar
    toolbar.concurrency.setValue(concurrency)
    toolbar.requests.setValue(concurrency * 20)
    await toolbar.start("noop")                           # warm: environments up, code paths hot
    toolbar.requests.setValue(requests)
    for name in ("monitoring", "traces"):   # live at the same time as the logs, not tabs behind them
        window.docks[name].setFloating(True)
        window.docks[name].show()
    window.show_pane("asynchronous")   # a section of the Configuration view, in the central area: live too
    probe = LagProbe()
    paints = PaintCounter({"graph": window.concurrency.graph, "environment_map": window.environments.map,
                           "log_view": window.logs.view.viewport(), "async_timeline": window.asynchronous.timeline,
                           "monitor": window.monitoring.charts})
    probe.start()
    stop = asyncio.Event()
    queued = asyncio.ensure_future(async_stream(window, stop))
    await toolbar.start("noop")
    stop.set()
    async_sent = await queued
    probe.stop()
    report = toolbar.last_report
    if report is None or report.failed or report.throttled:
        raise SystemExit(f"the load did not run cleanly: {report}; {window.message_bar.history[-1:]}")
    logs = window.logs.model.total
    emit("gui_event_loop_lag", probe.samples, backend="process", concurrency=concurrency)
    emit_value("gui_load_rate", report.throughput_per_s, "inv/s", backend="process", requests=requests,
               log_lines=logs, bridge_batches=window.bridge.batches_emitted, paints=paints.counts,
               async_events=async_sent)
    log(f"{report.requests} requests in {report.duration_s:.1f} s with the GUI live; log viewer holds {logs} lines")
    await window.shutdown()
    window.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer requests; well under a minute")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    requests = int(os.environ.get("GUI_LAG_REQUESTS", 0)) or (4000 if args.quick else 20000)
    app = application()
    loop = WorkbenchEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory(prefix="bench-gui-") as folder:
        os.environ["XDG_CONFIG_HOME"] = str(Path(folder) / "config")
        window = MainWindow(load_project(write_project(Path(folder))), remember_layout=False)
        with loop:
            loop.run_until_complete(measure(window, requests, args.concurrency))


if __name__ == "__main__":
    main()
