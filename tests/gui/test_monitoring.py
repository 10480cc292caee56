"""The Monitor tab against a real engine and real invocations: invocations, errors, throttles and durations
are counted per function on the shared time axis, and the PNG and CSV exports hold them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from PySide6.QtGui import QImage

from tests.gui.conftest import invoke_through_ui, running_window, wait_for
from workbench.gui.models.metrics_history import ALL, METRICS
from workbench.model.project import Project


async def test_invocations_errors_and_throttles_are_charted_and_exported(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path, expect_errors=True) as window:
        pane = window.monitoring
        window.docks["monitoring"].raise_()
        for event in ({"name": "a"}, {"name": "b"}, {"fail": True}):
            await invoke_through_ui(window, "greeter", json.dumps(event))
        await window.session.require().put_function_concurrency("other", 0)
        await invoke_through_ui(window, "other", "{}")   # throttled: reserved concurrency 0
        history = pane.history

        def totals(function: str, key: str) -> int:
            return sum(int(getattr(bucket, key)) for bucket in history.buckets(function, 0))

        await wait_for(lambda: totals("greeter", "invocations") == 3 and totals("other", "throttles") == 1,
                       message="the invocations and the throttle counted")
        assert totals("greeter", "errors") == 1 and totals(ALL, "invocations") == 3 and totals(ALL, "throttles") == 1
        pane.show_function("greeter")
        assert pane.charts.function == "greeter"
        assert pane.export_png(tmp_path / "monitor.png")
        image = QImage(str(tmp_path / "monitor.png"))
        assert image.width() == pane.charts.width() and image.height() == pane.charts.height()
        pane.export_csv(tmp_path / "monitor.csv")
        rows = list(csv.reader((tmp_path / "monitor.csv").read_text().splitlines()))
        assert rows[0][0] == "time" and len(rows[0]) == 1 + len(METRICS)
        invocations = sum(int(row[1] or 0) for row in rows[1:])
        errors = sum(int(row[4] or 0) for row in rows[1:])
        assert (invocations, errors) == (3, 1)
        assert all(float(row[2]) > 0 for row in rows[1:] if row[1] not in ("", "0"))   # p50 of real durations


async def test_asynchronous_events_received_dropped_and_their_age(project: Project, tmp_path: Path) -> None:
    """Async events received and dropped are counted as the engine queues and discards them (no retries here:
    MaximumRetryAttempts 0), and a failed dead-letter delivery is counted; all in the CSV."""
    from workbench.engine import EngineSettings

    async with running_window(project, tmp_path, expect_errors=True,
                              settings=EngineSettings(async_delay_scale=0.01)) as window:
        pane = window.monitoring
        window.docks["monitoring"].raise_()
        engine = window.session.require()
        await engine.put_function_event_invoke_config("greeter", maximum_retry_attempts=0)
        # A dead-letter queue that is not there: the delivery fails, and is counted.
        await engine.update_function_configuration(
            "greeter", dead_letter_target="arn:aws:sqs:us-east-1:123456789012:missing")
        await engine.invoke_async("greeter", json.dumps({"name": "fine"}))
        await engine.invoke_async("greeter", json.dumps({"fail": True}))
        history = pane.history

        def totals(key: str) -> int:
            return sum(int(getattr(bucket, key)) for bucket in history.buckets("greeter", 0))

        await wait_for(lambda: totals("async_received") == 2 and totals("async_dropped") == 1
                       and totals("delivery_failures") == 1, timeout=30, message="the asynchronous metrics")
        assert sum(b.async_received for b in history.buckets(ALL, 0)) == 2
        pane.show_function("greeter")
        pane.export_csv(tmp_path / "monitor.csv")
        rows = list(csv.reader((tmp_path / "monitor.csv").read_text().splitlines()))
        column = rows[0].index("Async events dropped (count)")
        assert sum(int(row[column] or 0) for row in rows[1:]) == 1
