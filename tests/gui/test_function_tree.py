from __future__ import annotations

from pathlib import Path

from pytestqt.modeltest import ModelTester

from tests.gui.conftest import invoke_through_ui, running_window, wait_for
from tests.helpers import make_project
from workbench.gui.models.function_tree import BADGES_ROLE, NODE_ROLE, FunctionTreeModel, NodeKind
from workbench.model.project import Project


def badge_texts(model: FunctionTreeModel, function: str) -> list[str]:
    return [text for text, _ in model.index_of_function(function).data(BADGES_ROLE)]


async def test_tree_lists_functions_versions_and_aliases(project: Project, tmp_path: Path,
                                                         qtmodeltester: ModelTester) -> None:
    async with running_window(project, tmp_path) as window:
        model = window.functions.model
        qtmodeltester.check(model, force_py=True)
        assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["greeter", "other"]
        greeter = model.index_of_function("greeter")
        assert greeter.data(NODE_ROLE).kind is NodeKind.FUNCTION
        assert model.index(0, 0, greeter).data() == "$LATEST"
        engine = window.session.require()
        await engine.publish_version("greeter", "one")
        app = project.root / "src" / "app.py"
        app.write_text(app.read_text() + "# changed\n")
        await engine.reload_code("greeter")
        await engine.publish_version("greeter", "two")   # new code: a new version
        await engine.create_alias("greeter", "live", "1", additional_weights={"2": 0.1})
        window.functions.refresh(engine)   # the tester, still connected, checks the reset
        greeter = model.index_of_function("greeter")
        labels = [model.index(r, 0, greeter).data() for r in range(model.rowCount(greeter))]
        assert labels == ["$LATEST", "version 1", "version 2", "alias live → 1 (2: 10%)"]


async def test_badges_follow_warm_environments(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        model = window.functions.model
        assert badge_texts(model, "greeter") == []
        await invoke_through_ui(window, "greeter", "{}")
        await wait_for(lambda: badge_texts(model, "greeter") == ["1 warm"], message="a warm badge")
        node = model.index_of_function("greeter").data(NODE_ROLE)
        menu = window.functions.menu_for(node)
        texts = [action.text() for action in menu.actions()]
        assert "Invoke greeter" in texts and "Open code" in texts
        stop = next(action for action in menu.actions() if action.text() == "Stop warm environments")
        stop.trigger()
        await window.operations.wait_idle()
        await wait_for(lambda: badge_texts(model, "greeter") == [], message="the badge gone")
        assert window.session.require().statistics().environments == 0


async def test_context_invoke_and_open_code(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        node = window.functions.model.index_of_function("other").data(NODE_ROLE)
        menu = window.functions.menu_for(node)
        next(a for a in menu.actions() if a.text() == "Open code").trigger()
        current = window.code_editor.current()
        assert current is not None
        assert current.path == (project.root / "src" / "app.py").resolve()
        window.event_editor.editor.setPlainText('{"name": "tree"}')
        next(a for a in menu.actions() if a.text() == "Invoke other").trigger()
        await window.operations.wait_idle()
        result = window.event_editor.result_view.result
        assert result is not None and b'"tree"' in result.payload
        assert window.event_editor.function == "other"


async def test_layers_and_auto_published_alias_from_the_template(tmp_path: Path,
                                                                qtmodeltester: ModelTester) -> None:
    project = make_project(tmp_path / "layered", {"Fn": {
        "FunctionName": "fn", "CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11",
        "AutoPublishAlias": "live", "Layers": [{"Ref": "Shared"}]}},
        {"src/app.py": "import shared\ndef handler(e, c):\n    return shared.V\n", "layer/python/shared.py": "V = 1\n"},
        extra_resources={"Shared": {"Type": "AWS::Serverless::LayerVersion",
                                    "Properties": {"LayerName": "shared", "ContentUri": "layer"}}})
    async with running_window(project, tmp_path) as window:
        model = window.functions.model
        qtmodeltester.check(model, force_py=True)
        fn = model.index_of_function("fn")
        labels = [model.index(r, 0, fn).data() for r in range(model.rowCount(fn))]
        assert labels == ["$LATEST", "version 1", "alias live → 1", "layer shared:1"]
        layer = model.index(3, 0, fn).data(NODE_ROLE)
        assert layer.kind is NodeKind.LAYER and layer.qualifier is None


async def test_the_tree_keeps_expansion_and_selection_after_publishing(project: Project, tmp_path: Path) -> None:
    """D13: publishing a version or creating an alias reset the tree: everything collapsed, selection lost."""
    async with running_window(project, tmp_path) as window:
        view, model = window.functions.view, window.functions.model
        engine = window.session.require()
        greeter, other = model.index_of_function("greeter"), model.index_of_function("other")
        view.collapse(other)
        view.setCurrentIndex(model.index(0, 0, greeter))       # greeter's $LATEST
        await engine.publish_version("greeter")
        await wait_for(lambda: model.rowCount(model.index_of_function("greeter")) == 2, message="version 1 listed")
        await engine.create_alias("greeter", "live", "1")
        await wait_for(lambda: model.rowCount(model.index_of_function("greeter")) == 3, message="the alias listed")
        greeter, other = model.index_of_function("greeter"), model.index_of_function("other")
        assert view.isExpanded(greeter) and not view.isExpanded(other)
        current = view.currentIndex()
        assert current.parent() == greeter and current.data() == "$LATEST"
