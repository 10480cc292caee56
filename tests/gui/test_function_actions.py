"""The function tree's context actions, through their forms, against the real engine."""

from __future__ import annotations

import asyncio
import zipfile
from pathlib import Path

from tests.gui.conftest import running_window, wait_for
from tests.gui.test_function_tree import badge_texts
from workbench.engine.core.errors import TooManyRequestsError
from workbench.engine.observation.events import EnvState, InitType
from workbench.gui.models.function_tree import NODE_ROLE
from workbench.gui.widgets.dialogs import AliasDialog, NumberDialog, ProvisionedDialog, TextDialog
from workbench.gui.widgets.message_bar import Level
from workbench.model.project import Project


def menu_texts(window, function: str, row: int | None = None) -> list[str]:
    index = window.functions.model.index_of_function(function)
    if row is not None:
        index = window.functions.model.index(row, 0, index)
    return [a.text() for a in window.functions.menu_for(index.data(NODE_ROLE)).actions()]


async def test_publish_and_alias(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        actions = window.functions.function_actions
        dialog = actions.publish_version("greeter")
        assert isinstance(dialog, TextDialog) and dialog.isVisible()
        dialog.field.setText("first cut")
        dialog.accept()
        await window.operations.wait_idle()
        window.bridge.flush()  # the tree follows the engine's CatalogueChanged events, delivered in batches
        assert "Published greeter version 1" in window.message_bar.history[-1].text
        model = window.functions.model
        greeter = model.index_of_function("greeter")
        assert [model.index(r, 0, greeter).data() for r in range(model.rowCount(greeter))] == ["$LATEST",
                                                                                              "version 1"]
        app = project.root / "src" / "app.py"
        app.write_text(app.read_text() + "# changed\n")
        await window.session.require().reload_code("greeter")
        await window.session.require().publish_version("greeter")
        alias = actions.create_alias("greeter", "1")
        assert isinstance(alias, AliasDialog) and alias.version_box.currentText() == "1"
        alias.name_field.setText("live")
        alias.extra_box.setCurrentText("2")
        alias.weight.setValue(0.25)
        alias.accept()
        await window.operations.wait_idle()
        window.bridge.flush()
        greeter = model.index_of_function("greeter")
        assert model.index(3, 0, greeter).data() == "alias live → 1 (2: 25%)"
        assert "Set provisioned concurrency…" in menu_texts(window, "greeter", 3)
        window.event_editor.select_function("greeter")
        qualifiers = [window.event_editor.qualifier_box.itemText(i)
                      for i in range(window.event_editor.qualifier_box.count())]
        assert qualifiers == ["$LATEST", "1", "2", "live"]


async def test_reserved_concurrency_throttles(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path, expect_errors=True) as window:
        actions = window.functions.function_actions
        dialog = actions.set_reserved("greeter")
        assert isinstance(dialog, NumberDialog)
        dialog.spin.setValue(2)
        dialog.accept()
        await window.operations.wait_idle()
        model = window.functions.model
        await wait_for(lambda: "reserved 2" in badge_texts(model, "greeter"), message="a reserved badge")
        assert "Remove reserved concurrency" in menu_texts(window, "greeter")
        engine = window.session.require()
        results = await asyncio.gather(*(engine.invoke("greeter", b'{"sleep_ms": 300}') for _ in range(4)),
                                       return_exceptions=True)
        assert sum(isinstance(r, TooManyRequestsError) for r in results) == 2
        history = window.concurrency.history
        await wait_for(lambda: history.series("greeter", 0)[-1][1].reserved == 2, message="the reserved limit")
        actions.clear_reserved("greeter")
        await window.operations.wait_idle()
        await wait_for(lambda: not any(b.startswith("reserved") for b in badge_texts(model, "greeter")),
                       message="the badge gone")
        too_many = actions.set_reserved("greeter")
        assert isinstance(too_many, NumberDialog)
        too_many.spin.setValue(too_many.spin.maximum())
        too_many.accept()
        await window.operations.wait_idle()
        message = window.message_bar.history[-1]
        assert message.level is Level.ERROR and "InvalidParameterValueException" in message.text


async def test_provisioned_concurrency(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        actions = window.functions.function_actions
        assert actions.set_provisioned("greeter") is None        # nothing published: a warning, no form
        assert window.message_bar.history[-1].level is Level.WARNING
        await window.session.require().publish_version("greeter")
        window.functions.refresh(window.session.engine)
        dialog = actions.set_provisioned("greeter", "1")
        assert isinstance(dialog, ProvisionedDialog) and dialog.qualifier == "1"
        dialog.spin.setValue(2)
        dialog.accept()
        await window.operations.wait_idle()
        tiles = window.environments.tiles
        await wait_for(lambda: sum(t.init_type is InitType.PROVISIONED and t.state is not EnvState.STOPPED
                                   for t in tiles.tiles.values()) == 2, message="two provisioned tiles")
        model = window.functions.model
        await wait_for(lambda: "provisioned 2/2" in badge_texts(model, "greeter"), message="a provisioned badge")
        history = window.concurrency.history
        await wait_for(lambda: history.series("greeter", 0)[-1][1].provisioned == 2, message="graph: provisioned")
        assert history.series("greeter", 0)[-1][1].provisioned_limit == 2
        assert "Remove provisioned concurrency of 1" in menu_texts(window, "greeter")
        actions.clear_provisioned("greeter", "1")
        await window.operations.wait_idle()
        await wait_for(lambda: not any(t.init_type is InitType.PROVISIONED and t.state is not EnvState.STOPPED
                                       for t in tiles.tiles.values()), message="provisioned environments gone")


async def test_export_zip(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        assert "Export as ZIP…" in menu_texts(window, "greeter")
        dialog = window.functions.function_actions.export_zip("greeter")
        target = tmp_path / "exported.zip"
        dialog.selectFile(str(target))
        dialog.accept()
        await window.operations.wait_idle()
        with zipfile.ZipFile(target) as archive:
            assert "app.py" in archive.namelist()
            assert b"asked to fail" in archive.read("app.py")
        assert "Exported the deployment package of greeter" in window.message_bar.history[-1].text
