"""The toolbar's load generator and asynchronous invocation from the event editor."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.gui.conftest import running_window, wait_for
from workbench.gui.panes.load_toolbar import OPEN_LOOP
from workbench.model.project import Project


async def test_load_generator_shows_progress_and_report(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        toolbar = window.load_toolbar
        assert [toolbar.function_box.itemText(i) for i in range(toolbar.function_box.count())] == ["greeter",
                                                                                                  "other"]
        window.event_editor.select_function("greeter")
        window.event_editor.editor.setPlainText('{"name": "load", "sleep_ms": 60}')
        toolbar.requests.setValue(30)
        toolbar.concurrency.setValue(3)
        formats: list[str] = []
        toolbar.progress.valueChanged.connect(lambda _v: formats.append(toolbar.progress.format()))
        toolbar.start_button.click()
        assert toolbar.running and toolbar.start_button.text() == "■ Stop"
        await window.operations.wait_idle()
        report = toolbar.last_report
        assert report is not None and report.succeeded == 30 and report.throttled == 0
        assert report.peak_environments == 3
        assert toolbar.progress.value() == 30 and toolbar.progress.format().startswith("30/30 · 30 ok")
        assert len(formats) >= 2, "progress was shown while the load ran"
        assert "30 requests" in window.message_bar.history[-1].text
        assert toolbar.start_button.text() == "▶ Load"
        logs = window.logs.model
        await wait_for(lambda: sum("handled load" in logs.line_at(r).message for r in range(logs.rowCount())) == 30,
                       message="the load's log lines")


async def test_a_running_load_can_be_stopped(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        toolbar = window.load_toolbar
        toolbar.mode_box.setCurrentIndex(toolbar.mode_box.findData(OPEN_LOOP))
        await wait_for(lambda: not toolbar.requests.isVisible() and toolbar.rate.isVisible(),
                       message="the rate fields instead of the request fields")
        toolbar.rate.setValue(20)
        toolbar.duration.setValue(30)
        toolbar.start_button.click()
        await wait_for(lambda: "ok" in toolbar.progress.format(), message="load under way")
        toolbar.start_button.click()      # Stop
        await window.operations.wait_idle()
        assert not toolbar.running and toolbar.progress.format().endswith("stopped")
        assert toolbar.last_report is None


async def test_asynchronous_invoke(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        editor = window.event_editor
        editor.select_function("greeter")
        editor.mode_box.setCurrentIndex(editor.mode_box.findData("async"))
        editor.editor.setPlainText('{"name": "later", "sleep_ms": 200}')
        editor.invoke_button.click()
        await window.operations.wait_idle()
        view = editor.result_view
        assert "Accepted (202)" in view.headline.text() and view.result is None
        request_id = view.fields["Request id"].text()
        assert window.traces.model.row_of(request_id) < 0         # accepted before it ran
        await wait_for(lambda: window.traces.model.row_of(request_id) >= 0, message="its trace, later")
        await asyncio.sleep(0)


async def test_load_on_an_alias_reports_provisioned_and_spill_over(project: Project, tmp_path: Path) -> None:
    """D10, D22: the load generator targets an alias; its report splits provisioned from on-demand, and
    "Stop idle environments" leaves the provisioned environment alone."""
    async with running_window(project, tmp_path) as window:
        engine = window.session.require()
        version = await engine.publish_version("greeter")
        await engine.create_alias("greeter", "live", version.version)
        await engine.put_provisioned_concurrency("greeter", "live", 1)
        await engine.wait_provisioned_ready("greeter")
        toolbar = window.load_toolbar
        toolbar.function_box.setCurrentText("greeter")
        await wait_for(lambda: toolbar.qualifier_box.findText("live") >= 0, message="the alias in the load toolbar")
        toolbar.qualifier_box.setCurrentText("live")
        window.event_editor.select_function("greeter")
        window.event_editor.editor.setPlainText('{"sleep_ms": 150}')
        toolbar.requests.setValue(6)
        toolbar.concurrency.setValue(3)
        toolbar.start_button.click()
        await window.operations.wait_idle()
        report = toolbar.last_report
        assert report is not None and report.succeeded == 6
        assert report.provisioned >= 1 and report.on_demand >= 1 and report.provisioned + report.on_demand == 6
        assert "provisioned and" in window.message_bar.history[-1].text
        assert "spill-over" in window.message_bar.history[-1].text
        window.stop_all_action.trigger()
        await window.operations.wait_idle()
        envs = engine.statistics().function("greeter").environments
        assert [e.provisioned_for for e in envs] == ["live"], "only the provisioned environment is left"
