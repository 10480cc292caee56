"""The New function form's blueprint gallery on the real blueprints: search, runtime filter, the preview of the
handler's code and of the presets, and the form following the chosen blueprint."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from workbench.catalog.blueprints import list_blueprints
from workbench.gui.widgets.new_function_dialog import NewFunctionDialog


def test_search_filter_preview_and_choose(qtbot: QtBot) -> None:
    dialog = NewFunctionDialog(list_blueprints())
    qtbot.addWidget(dialog)
    gallery = dialog.gallery
    assert dialog.blueprint is None and dialog.runtime_box.isEnabled()   # from scratch first
    assert len(gallery.shown()) == len(list_blueprints())
    gallery.search.setText("sqs batch")
    assert gallery.shown() == ["sqs-batch-nodejs", "sqs-batch-python"]
    gallery.runtime.setCurrentText("python")
    assert gallery.shown() == ["sqs-batch-python"]
    gallery.choose("sqs-batch-python")
    assert dialog.blueprint is not None and dialog.blueprint.name == "sqs-batch-python"
    assert "batchItemFailures" in gallery.code.toPlainText()
    presets = gallery.presets.toPlainText()
    assert "Queue: AWS::SQS::Queue" in presets and "Timeout      30 s" in presets and "Orders: SQS" in presets
    assert dialog.timeout.value() == 30 and not dialog.timeout.isEnabled()
    assert dialog.name_field.placeholderText() == "sqs-batch-python"
    gallery.search.setText("no such blueprint anywhere")
    assert gallery.shown() == [] and dialog.blueprint is None and dialog.runtime_box.isEnabled()
    gallery.choose("kinesis-stream-nodejs")   # hidden by the filters: they are cleared
    assert gallery.search.text() == "" and dialog.runtime_box.currentText() == "nodejs20.x"
    assert "exports.handler" in gallery.code.toPlainText()
