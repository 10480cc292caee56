"""Batches an event source mapping delivered, as the Triggers, Traces and Logs panes show them: the source's
short name, the batch's size and result, and a log line the log viewer can file under the batch's invocation."""

from __future__ import annotations

from workbench.engine import LogLine, MappingBatchProcessed

#: The log stream the batch lines are filed under (they are the workbench's, not the function's).
BATCH_STREAM = "(event source mapping)"


def source_name(arn: str) -> str:
    """The short name of a queue, stream or table stream ARN ("work", "clicks", "orders (table stream)")."""
    resource = arn.split(":", 5)[-1]
    if "/stream/" in resource and resource.startswith("table/"):
        return f"{resource.split('/')[1]} (table stream)"
    return resource.split("/", 1)[-1] if "/" in resource else resource


def batch_summary(event: MappingBatchProcessed) -> str:
    """"batch of 5 · work" (with the failed records when some failed)."""
    text = f"batch of {event.size} · {source_name(event.source_arn)}"
    return text + (f" · {event.failed} failed" if event.failed else "")


def batch_line(event: MappingBatchProcessed) -> LogLine:
    """A platform line after the invocation's REPORT: which batch it carried, its size and its result."""
    message = (f"BATCH RequestId: {event.request_id}\tSize: {event.size} records\tSource: "
               f"{source_name(event.source_arn)}" + (f"\tShard: {event.shard}" if event.shard else "")
               + f"\tResult: {event.result}\tFailed: {event.failed}")
    return LogLine(event.timestamp, event.function, BATCH_STREAM, event.request_id, message, platform=True)
