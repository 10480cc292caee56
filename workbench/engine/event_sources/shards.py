"""Reading shards through the AWS SDK: Kinesis data streams and DynamoDB streams differ only in their calls and
record shapes, so the stream poller works on either through `ShardSource`."""

from __future__ import annotations

import base64
import datetime
import json
from dataclasses import dataclass
from typing import Any

from workbench.engine.event_sources.clients import SdkClients
from workbench.engine.event_sources.config import MappingConfig, SourceKind
from workbench.engine.event_sources.records import dynamodb_record, kinesis_record


@dataclass(frozen=True, slots=True)
class Shard:
    id: str
    #: The shards it was split or merged from: they are read to their end before it (per-key order).
    parents: tuple[str, ...]
    #: Closed by resharding: no new records will come, so reading it to its end finishes it.
    closed: bool


@dataclass(frozen=True, slots=True)
class Read:
    records: list[dict[str, Any]]      # Lambda-shaped
    next_iterator: str | None          # None: the shard is closed and read to its end
    behind_s: float | None             # how far the reader is behind the stream's tip, when the service says


class ShardSource:
    def __init__(self, clients: SdkClients, config: MappingConfig, region: str, role: str) -> None:
        self.clients = clients
        self.config = config
        self.region = region
        self.role = role
        kinesis = config.kind is SourceKind.KINESIS
        self.service = "kinesis" if kinesis else "dynamodbstreams"
        self.info_key = "KinesisBatchInfo" if kinesis else "DDBStreamBatchInfo"
        #: GetRecords Limit: 10,000 for Kinesis, 1,000 for DynamoDB Streams.
        self.read_limit = 10_000 if kinesis else 1_000

    @property
    def _kinesis(self) -> bool:
        return self.config.kind is SourceKind.KINESIS

    def _stream(self) -> dict[str, str]:
        arn = self.config.source_arn
        return {"StreamName": arn.split("/", 1)[1]} if self._kinesis else {"StreamArn": arn}

    async def created(self) -> float | None:
        """When the stream was created: a stream made again under the same ARN starts its sequence numbers over."""
        if self._kinesis:
            answer = await self.clients.call("kinesis", "describe_stream_summary", **self._stream())
            stamp = answer["StreamDescriptionSummary"].get("StreamCreationTimestamp")
        else:
            answer = await self.clients.call("dynamodbstreams", "describe_stream", **self._stream())
            stamp = answer["StreamDescription"].get("CreationRequestDateTime")
        return round(stamp.timestamp(), 3) if isinstance(stamp, datetime.datetime) else None

    async def shards(self) -> list[Shard]:
        """The stream's shards, parents before their children (as the services list them)."""
        if self._kinesis:
            answer = await self.clients.call("kinesis", "list_shards", **self._stream())
            listed = answer.get("Shards", [])
        else:
            answer = await self.clients.call("dynamodbstreams", "describe_stream", **self._stream())
            listed = answer["StreamDescription"].get("Shards", [])
        return [Shard(entry["ShardId"],
                      tuple(entry[key] for key in ("ParentShardId", "AdjacentParentShardId") if entry.get(key)),
                      "EndingSequenceNumber" in (entry.get("SequenceNumberRange") or {})) for entry in listed]

    async def iterator(self, shard: str, after: str | None) -> str:
        arguments: dict[str, Any] = {**self._stream(), "ShardId": shard}
        config = self.config
        if after is not None:
            arguments["ShardIteratorType"] = "AFTER_SEQUENCE_NUMBER"
            arguments["StartingSequenceNumber" if self._kinesis else "SequenceNumber"] = after
        else:
            arguments["ShardIteratorType"] = config.starting_position or "TRIM_HORIZON"
            if config.starting_position == "AT_TIMESTAMP":
                arguments["Timestamp"] = datetime.datetime.fromtimestamp(config.starting_position_timestamp or 0,
                                                                          tz=datetime.UTC)
        answer = await self.clients.call(self.service, "get_shard_iterator", **arguments)
        return str(answer["ShardIterator"])

    async def read(self, shard: str, iterator: str, limit: int) -> Read:
        answer = await self.clients.call(self.service, "get_records", ShardIterator=iterator,
                                         Limit=min(limit, self.read_limit))
        raw = answer.get("Records") or []
        if self._kinesis:
            records = [kinesis_record(r, shard, self.config.source_arn, self.region, self.role) for r in raw]
            behind = answer.get("MillisBehindLatest")
            return Read(records, answer.get("NextShardIterator"), behind / 1000 if behind is not None else None)
        records = [dynamodb_record(r, self.config.source_arn, self.region) for r in raw]
        return Read(records, answer.get("NextShardIterator"), None)

    # -- what the poller needs to know of a record ------------------------------------------------------------
    def sequence(self, record: dict[str, Any]) -> str:
        return str(record["kinesis"]["sequenceNumber"] if self._kinesis else record["dynamodb"]["SequenceNumber"])

    def partition_key(self, record: dict[str, Any]) -> str:
        if self._kinesis:
            return str(record["kinesis"]["partitionKey"])
        return json.dumps(record["dynamodb"].get("Keys"), sort_keys=True)

    def arrival(self, record: dict[str, Any]) -> float:
        if self._kinesis:
            return float(record["kinesis"]["approximateArrivalTimestamp"])
        return float(record["dynamodb"].get("ApproximateCreationDateTime", 0))

    def filter_document(self, record: dict[str, Any]) -> dict[str, Any]:
        """What FilterCriteria see: a Kinesis record's `data` decoded and parsed when it is JSON."""
        if not self._kinesis:
            return record
        try:
            data = json.loads(base64.b64decode(record["kinesis"]["data"]))
        except ValueError:
            return record
        return {**record, "kinesis": {**record["kinesis"], "data": data}}
