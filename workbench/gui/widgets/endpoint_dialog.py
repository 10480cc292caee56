"""Engine → Services endpoint…: choose where queues, topics, streams, tables, buses and buckets live.

Empty means the workbench's local services (moto, started on demand); a URL (LocalStack, ElasticMQ, a real
account's regional endpoint) is `EngineSettings.aws_endpoint`, the same setting as `--aws-endpoint`. Applying
it restarts the engine on the project (the setting is read when an engine starts); when the restart fails the
previous engine keeps running and the previous setting is kept. The choice lasts for this window's session;
`--aws-endpoint` or WORKBENCH_AWS_ENDPOINT set it from the start.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QMenu, QWidget

from workbench.engine import EngineSettings, checked_aws_endpoint
from workbench.gui.operations import Operations
from workbench.gui.session import EngineSession

ACTION_TEXT = "Services endpoint…"


class EndpointDialog(QDialog):
    """The endpoint form. Shown with `open()`; `chosen` is the checked endpoint (None: local services) once
    accepted. A URL that is not http(s)://host[:port] keeps the dialog open with the reason beside it."""

    def __init__(self, current: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Services endpoint")
        form = QFormLayout(self)
        note = QLabel("Where functions' SDKs, event sources and destinations find queues, topics, streams, "
                      "tables, buses and buckets. Leave empty for the workbench's local services. Applying "
                      "restarts the engine.")
        note.setWordWrap(True)
        form.addRow(note)
        self.field = QLineEdit(current or "")
        self.field.setPlaceholderText("local services (e.g. http://127.0.0.1:4566 for LocalStack)")
        self.field.setClearButtonEnabled(True)
        form.addRow("Endpoint URL", self.field)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: palette(highlight);")
        self.problem.hide()
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.chosen: str | None = current

    def accept(self) -> None:
        text = self.field.text().strip()
        try:
            self.chosen = checked_aws_endpoint(text) if text else None
        except ValueError as exc:
            self.problem.setText(str(exc))
            self.problem.show()
            return
        super().accept()


async def use_endpoint(session: EngineSession, endpoint: str | None) -> None:
    """Restart the session's engine with ``endpoint``; on failure the setting goes back with the engine."""
    previous = session.settings
    session.settings = dataclasses.replace(previous or EngineSettings(), aws_endpoint=endpoint)
    try:
        await session.reload_project()
    except BaseException:
        session.settings = previous
        raise


def add_endpoint_action(menu: QMenu, session: EngineSession, operations: Operations, parent: QWidget) -> QAction:
    """Add "Services endpoint…" to ``menu``: the dialog, then (when the choice changed) the engine's restart as
    an operation whose failure lands in the message bar."""
    action = menu.addAction(ACTION_TEXT)

    def ask() -> None:
        current = session.settings.aws_endpoint if session.settings else None
        dialog = EndpointDialog(current, parent)

        def accepted() -> None:
            if dialog.chosen != current:
                where = dialog.chosen or "the local services"
                operations.run(f"Use {where} for the AWS services", lambda: use_endpoint(session, dialog.chosen))

        dialog.accepted.connect(accepted)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    action.triggered.connect(ask)
    return action
