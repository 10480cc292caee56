"""What every panel of the resource browser shares: the road to the local services (started on demand,
called in a thread) through the window's awaited operations."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from workbench.gui.operations import Operations, Trigger
from workbench.gui.session import EngineSession
from workbench.gui.widgets.message_bar import MessageBar
from workbench.services.browser import Endpoint

T = TypeVar("T")


class BrowserContext:
    def __init__(self, session: EngineSession, operations: Operations, message_bar: MessageBar) -> None:
        self.session = session
        self.operations = operations
        self.message_bar = message_bar

    async def endpoint(self) -> Endpoint:
        """The services' endpoint; asking for it starts moto when it is not running yet."""
        engine = self.session.require()
        url = await engine.services.ensure_started()
        return Endpoint(url, engine.settings.region)

    def services_running(self) -> bool:
        engine = self.session.engine
        return engine is not None and engine.services.running

    def call(self, description: str, work: Callable[..., T], *args: Any, trigger: Trigger | None = None,
             on_success: Callable[[T], object] | None = None) -> asyncio.Task[T | None]:
        """Run ``work(endpoint, *args)`` (a blocking SDK call) in a thread; failures go to the message bar."""
        async def run() -> T:
            endpoint = await self.endpoint()
            return await asyncio.to_thread(work, endpoint, *args)

        return self.operations.run(description, run, trigger=trigger, on_success=on_success)
