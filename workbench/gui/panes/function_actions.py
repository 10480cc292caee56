"""What the function tree's context actions do: a form (opened, never exec'd), then one awaited engine
operation through `Operations`, with the outcome in the message bar."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from workbench.gui.operations import Operations
from workbench.gui.session import EngineSession
from workbench.gui.widgets.dialogs import AliasDialog, NumberDialog, ProvisionedDialog, TextDialog
from workbench.gui.widgets.message_bar import MessageBar
from workbench.model.arn import LATEST


class FunctionActions:
    def __init__(self, session: EngineSession, operations: Operations, message_bar: MessageBar,
                 parent: QWidget) -> None:
        self._session = session
        self._operations = operations
        self._message_bar = message_bar
        self._parent = parent
        #: The form currently open (kept referenced while it is shown; tests fill it in and accept it).
        self.dialog: QDialog | None = None

    def _show(self, dialog: QDialog) -> QDialog:
        self.dialog = dialog
        dialog.open()
        return dialog

    def _qualifiers(self, function: str, with_latest: bool) -> list[str]:
        entry = self._session.require().function_entry(function)
        versions = sorted(entry.versions, key=lambda v: int(v) if v.isdigit() else 0)
        return ([LATEST] if with_latest else []) + versions + (sorted(entry.aliases) if not with_latest else [])

    # -- versions and aliases ---------------------------------------------------------------------------
    def publish_version(self, function: str) -> QDialog:
        dialog = TextDialog(f"Publish a version of {function}", "Description:", self._parent)

        async def publish() -> None:
            version = await self._session.require().publish_version(function, dialog.value)
            self._message_bar.info(f"Published {function} version {version.version}: an immutable copy of "
                                   "$LATEST's code and configuration")

        dialog.accepted.connect(lambda: self._operations.run(f"Publish a version of {function}", publish))
        return self._show(dialog)

    def create_alias(self, function: str, version: str | None = None) -> QDialog:
        dialog = AliasDialog(self._qualifiers(function, with_latest=True), version, self._parent)

        async def create() -> None:
            alias = await self._session.require().create_alias(
                function, dialog.name_field.text().strip(), dialog.version_box.currentText(),
                dialog.description.text().strip(), dialog.additional_weights)
            self._message_bar.info(f"Created alias {function}:{alias.name} → {alias.function_version}")

        dialog.accepted.connect(lambda: self._operations.run(f"Create an alias of {function}", create))
        return self._show(dialog)

    # -- concurrency ------------------------------------------------------------------------------------
    def set_reserved(self, function: str) -> QDialog:
        engine = self._session.require()
        current = engine.function_concurrency(function)
        account = engine.account_concurrency()
        dialog = NumberDialog(f"Reserved concurrency of {function}", "Reserved concurrency:",
                              current if current is not None else 10, 0, account.limit,
                              "At most this many environments serve the function at once; more requests are "
                              "throttled (429). 0 throttles every request.", self._parent)

        async def reserve() -> None:
            reserved = await self._session.require().put_function_concurrency(function, dialog.value)
            self._message_bar.info(f"{function}: reserved concurrency {reserved}")

        dialog.accepted.connect(lambda: self._operations.run(f"Reserve concurrency for {function}", reserve))
        return self._show(dialog)

    def clear_reserved(self, function: str) -> None:
        async def clear() -> None:
            await self._session.require().delete_function_concurrency(function)
            self._message_bar.info(f"{function}: reserved concurrency removed (it shares the unreserved pool)")

        self._operations.run(f"Remove the reserved concurrency of {function}", clear)

    def set_provisioned(self, function: str, qualifier: str | None = None) -> QDialog | None:
        qualifiers = self._qualifiers(function, with_latest=False)
        if not qualifiers:
            self._message_bar.warning(f"{function} has no published version or alias: publish a version first "
                                      "(provisioned concurrency never applies to $LATEST)")
            return None
        dialog = ProvisionedDialog(qualifiers, qualifier, parent=self._parent)

        async def provision() -> None:
            config = await self._session.require().put_provisioned_concurrency(function, dialog.qualifier,
                                                                               dialog.value)
            self._message_bar.info(f"{function}:{dialog.qualifier}: {config.requested} provisioned environments "
                                   f"requested ({config.status})")

        dialog.accepted.connect(lambda: self._operations.run(f"Provision concurrency for {function}", provision))
        return self._show(dialog)

    def clear_provisioned(self, function: str, qualifier: str) -> None:
        async def clear() -> None:
            await self._session.require().delete_provisioned_concurrency(function, qualifier)
            self._message_bar.info(f"{function}:{qualifier}: provisioned concurrency removed")

        self._operations.run(f"Remove the provisioned concurrency of {function}:{qualifier}", clear)

    # -- packages ---------------------------------------------------------------------------------------
    def export_zip(self, function: str, qualifier: str | None = None) -> QFileDialog:
        label = function if qualifier in (None, LATEST) else f"{function}-{qualifier}"
        dialog = QFileDialog(self._parent, f"Export {label} as a ZIP", str(Path.home() / f"{label}.zip"),
                             "ZIP archives (*.zip)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("zip")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)

        async def export(target: str) -> None:
            engine = self._session.require()
            data = await asyncio.to_thread(engine.export_package, function, qualifier)
            await asyncio.to_thread(Path(target).write_bytes, data)
            self._message_bar.info(f"Exported the deployment package of {label} to {target} ({len(data):,} bytes)")

        dialog.fileSelected.connect(lambda target: self._operations.run(f"Export {label}", lambda: export(target)))
        self._show(dialog)
        return dialog

    def provisioned_qualifiers(self, function: str) -> list[str]:
        engine = self._session.engine
        return [config.qualifier for config in engine.provisioned_concurrency(function)] if engine else []

    def has_reserved(self, function: str) -> bool:
        engine = self._session.engine
        return engine is not None and engine.function_concurrency(function) is not None
