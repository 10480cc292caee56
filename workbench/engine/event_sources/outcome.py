"""What a batch's invocation meant, by Lambda's rules for responses (spec §6): success, a whole-batch failure,
or (with ReportBatchItemFailures) a partial one naming the records to retry."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from workbench.engine.execution.invocation import InvokeResult


@dataclass(frozen=True, slots=True)
class Outcome:
    #: The whole batch succeeded.
    ok: bool
    #: With a partial response: the identifiers to retry (a subset of the batch's); None otherwise.
    failed_ids: tuple[str, ...] | None = None
    #: Why a batch failed, for the mapping's LastProcessingResult and failure records.
    problem: str | None = None
    #: The tumbling window state the function returned.
    state: dict[str, Any] | None = None

    @property
    def partial(self) -> bool:
        return self.failed_ids is not None


def judge(result: InvokeResult, identifiers: Sequence[str], *, report_failures: bool, unknown_fails: bool,
          needs_state: bool = False) -> Outcome:
    """Lambda's reading of a response. ``unknown_fails``: an identifier not in the batch fails the whole batch
    (SQS); for streams it is ignored."""
    if result.function_error:
        return Outcome(False, problem="PROBLEM: Function call failed")
    if not (report_failures or needs_state):
        return Outcome(True)
    try:
        document = json.loads(result.payload) if result.payload.strip() else None
    except ValueError:
        return Outcome(False, problem="PROBLEM: Function response is not valid JSON")
    state: dict[str, Any] | None = None
    if needs_state:
        if not isinstance(document, dict) or not isinstance(document.get("state"), dict):
            return Outcome(False, problem="PROBLEM: Function response has no state")
        state = document["state"]
    if not report_failures or not isinstance(document, dict):
        return Outcome(True, state=state)
    failures = document.get("batchItemFailures")
    if failures is None or failures == []:
        return Outcome(True, state=state)
    if not isinstance(failures, list):
        return Outcome(False, problem="PROBLEM: batchItemFailures is malformed")
    known = set(identifiers)
    failed: list[str] = []
    for item in failures:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(identifier, str) or not identifier:
            return Outcome(False, problem="PROBLEM: a batchItemFailures entry has no itemIdentifier")
        if identifier not in known:
            if unknown_fails:
                return Outcome(False, problem=f"PROBLEM: unknown itemIdentifier {identifier[:80]}")
            continue
        failed.append(identifier)
    if not failed:
        return Outcome(True, state=state)
    return Outcome(False, failed_ids=tuple(failed), problem="PROBLEM: Function reported partial failures", state=state)
