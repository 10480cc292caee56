"""The AWS SDK as the pollers use it: boto3 clients (thread-safe) called on a thread pool of the room's own, so
long polls never take the threads the rest of the engine gets from `asyncio.to_thread`.

The clients point at the engine's services endpoint: the local moto (started on first use) or an external
endpoint (LocalStack, a real account) — the pollers' code is the same for both.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import threading
from collections.abc import Awaitable, Callable
from typing import Any

#: Threads for SDK calls; a poller's long poll holds one for up to a few seconds.
POOL_THREADS = 64


class SdkError(Exception):
    """An SDK call failed; ``code`` is AWS's error code when the service answered with one."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class SdkClients:
    def __init__(self, endpoint: Callable[[], Awaitable[str]], region: str,
                 make_client: Callable[[str, str, str], Any]) -> None:
        self._endpoint = endpoint
        self._region = region
        self._make_client = make_client
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self._pool = concurrent.futures.ThreadPoolExecutor(POOL_THREADS, thread_name_prefix="workbench-esm")

    async def call(self, service: str, operation: str, **arguments: Any) -> Any:
        """``client.operation(**arguments)`` of ``service``, off the event loop. Raises SdkError."""
        endpoint = await self._endpoint()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(self._call, endpoint, service, operation,
                                                                        arguments))

    def _call(self, endpoint: str, service: str, operation: str, arguments: dict[str, Any]) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        with self._lock:
            client = self._clients.get((service, endpoint))
            if client is None:
                client = self._clients[(service, endpoint)] = self._make_client(service, endpoint, self._region)
        try:
            return getattr(client, operation)(**arguments)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise SdkError(str(error.get("Code", "Unknown")), str(error.get("Message", exc))) from None
        except BotoCoreError as exc:
            raise SdkError(type(exc).__name__, str(exc)) from None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def queue_name(arn: str) -> tuple[str, str]:
    """An SQS queue ARN's name and owning account."""
    parts = arn.split(":")
    return parts[5], parts[4]


async def queue_url(clients: SdkClients, arn: str) -> str:
    name, account = queue_name(arn)
    answer = await clients.call("sqs", "get_queue_url", QueueName=name, QueueOwnerAWSAccountId=account)
    return str(answer["QueueUrl"])
