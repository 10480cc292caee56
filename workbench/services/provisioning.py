"""Create a template's supporting resources (queues, topics, streams, tables, buses, buckets) in the local
services, through boto3, in dependency order, and report their real attributes.

Intrinsics are resolved here among these resources, with the values the services gave (a queue's URL, a
table's stream ARN), so `!GetAtt Queue.Arn` in a subscription or a redrive policy is the real thing. Every
problem is a TemplateError naming the resource and the property; a type the workbench does not create is
named in a warning.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.model.arn import function_arn
from workbench.model.intrinsics import IntrinsicResolver, UnresolvableError
from workbench.model.template import TemplateError
from workbench.model.template.definitions import QUIET_TYPES
from workbench.services import resource_types as types
from workbench.services.deliveries import Delivery, Source, delivery_queue_name, function_target

if TYPE_CHECKING:
    from workbench.services.local import LocalServices

log = logging.getLogger(__name__)

Attributes = dict[str, str]
_Creator = Callable[["_Provisioner", str, dict[str, Any]], Attributes]


async def provision(services: LocalServices, resources: Mapping[str, Mapping[str, Any]],
                    parameters: Mapping[str, Any], *, region: str = "us-east-1",
                    path: Path = Path("template.yaml"), functions: Mapping[str, str] | None = None,
                    deliveries: list[Delivery] | None = None) -> dict[str, dict[str, str]]:
    """Create ``resources`` ({logical id: {"Type", "Properties", "DependsOn"}}, intrinsics unresolved) and
    return each created resource's attributes (`Ref`, `Arn`, `QueueUrl`, ...). Starts the services if needed.
    ``functions`` ({logical id: function name}) are the template's functions, which resources may name (a
    schedule rule's target, a bucket's notification): `Ref` is the name, `Arn` the function's ARN.
    The pushes to functions the resources ask for (SNS `lambda` subscriptions, EventBridge Lambda targets, S3
    notifications to Lambda) are made against delivery queues and appended to ``deliveries`` (see
    `deliveries.py`). Raises TemplateError."""
    supported = {logical_id: resource for logical_id, resource in resources.items()
                 if isinstance(resource, Mapping) and resource.get("Type") in types.TYPES}
    skipped = sorted(f"{logical_id} ({resource.get('Type')})" for logical_id, resource in resources.items()
                     if isinstance(resource, Mapping) and resource.get("Type") not in types.TYPES
                     and resource.get("Type") not in types.READ_ELSEWHERE
                     and resource.get("Type") not in QUIET_TYPES)
    if skipped:
        log.warning("%s: the workbench does not create these resources locally: %s", path, ", ".join(skipped))
    if not supported:
        return {}
    endpoint = await services.ensure_started()
    provisioner = _Provisioner(endpoint, supported, parameters, region, path)
    for logical_id, name in (functions or {}).items():
        provisioner.known[logical_id] = {"Ref": name, "Arn": function_arn(name, region=region)}
    created = await asyncio.to_thread(provisioner.run)
    if deliveries is not None:
        deliveries.extend(provisioner.deliveries)
    return created


def supported_resources(resources: Mapping[str, Any]) -> bool:
    """Whether a template declares anything `provision` creates (then the services start with the engine)."""
    return any(isinstance(resource, Mapping) and resource.get("Type") in types.TYPES
               for resource in resources.values())


def _references(value: Any) -> Iterable[str]:
    """Logical ids a property value refers to (Ref, GetAtt, ${X} and ${X.Attr} in Sub)."""
    if isinstance(value, list):
        for item in value:
            yield from _references(item)
    elif isinstance(value, dict):
        for key, argument in value.items():
            if key == "Ref" and isinstance(argument, str):
                yield argument
            elif key == "Fn::GetAtt":
                parts = argument.split(".", 1) if isinstance(argument, str) else argument
                if isinstance(parts, list) and parts and isinstance(parts[0], str):
                    yield parts[0]
            elif key == "Fn::Sub":
                text = argument if isinstance(argument, str) else (argument[0] if isinstance(argument, list)
                                                                    and argument else "")
                if isinstance(text, str):
                    for chunk in text.split("${")[1:]:
                        yield chunk.split("}", 1)[0].split(".", 1)[0]
                if isinstance(argument, list):
                    yield from _references(argument[1:])
            else:
                yield from _references(argument)


class _Provisioner:
    def __init__(self, endpoint: str, resources: Mapping[str, Mapping[str, Any]], parameters: Mapping[str, Any],
                 region: str, path: Path) -> None:
        self.endpoint = endpoint
        self.resources = resources
        self.region = region
        self.path = path
        self.created: dict[str, Attributes] = {}
        #: Resources made elsewhere that these may refer to (the template's functions), by logical id.
        self.known: dict[str, Attributes] = {}
        self.resolver = IntrinsicResolver(parameters, self._ref, self._getatt)
        self._clients: dict[str, Any] = {}
        #: Pushes to functions, made against delivery queues (SNS, EventBridge and S3 to Lambda).
        self.deliveries: list[Delivery] = []

    def delivery_queue(self, source: Source, logical_id: str, target_arn: str, source_arn: str,
                       prop: str) -> tuple[str, str, str, str | None]:
        """A delivery queue for a push from ``source_arn`` to the function ``target_arn``: (queue URL, queue
        ARN, function name, qualifier). The Delivery itself is recorded by the caller once the subscription
        exists (an SNS record names its subscription)."""
        target = function_target(target_arn)
        if target is None:
            raise self.error(logical_id, f"{target_arn!r} is not a Lambda function ARN", prop)
        name, qualifier = target
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName=delivery_queue_name(source, logical_id, name))["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return str(url), str(arn), name, qualifier

    # -- lookups among what is created --------------------------------------------------------------------
    def _attributes(self, logical_id: str) -> Attributes | None:
        return self.created.get(logical_id) or self.known.get(logical_id)

    def _ref(self, logical_id: str) -> str | None:
        attributes = self._attributes(logical_id)
        return attributes["Ref"] if attributes is not None else None

    def _getatt(self, logical_id: str, attribute: str) -> str | None:
        attributes = self._attributes(logical_id)
        if attributes is None:
            return None
        if attribute not in attributes:
            raise UnresolvableError(f"{logical_id} has no attribute {attribute!r} (it has: "
                                    f"{', '.join(sorted(a for a in attributes if a != 'Ref'))})")
        return attributes[attribute]

    def client(self, service: str) -> Any:
        if service not in self._clients:
            from workbench.services.local import client_for

            self._clients[service] = client_for(service, self.endpoint, self.region)
        return self._clients[service]

    def error(self, logical_id: str, message: str, prop: str | None = None) -> TemplateError:
        return TemplateError(self.path, message, logical_id, prop)

    # -- order --------------------------------------------------------------------------------------------
    def _order(self) -> list[str]:
        needs: dict[str, set[str]] = {}
        for logical_id, resource in self.resources.items():
            depends = resource.get("DependsOn") or []
            depends = [depends] if isinstance(depends, str) else list(depends)
            referenced = set(_references(resource.get("Properties") or {})) | {str(d) for d in depends}
            needs[logical_id] = {name for name in referenced if name in self.resources and name != logical_id}
        ordered: list[str] = []
        done: set[str] = set()
        while needs:
            ready = sorted(name for name, wanted in needs.items() if wanted <= done)
            if not ready:
                cycle = ", ".join(sorted(needs))
                raise TemplateError(self.path, f"these resources depend on each other in a cycle: {cycle}")
            for name in ready:
                ordered.append(name)
                done.add(name)
                del needs[name]
        return ordered

    # -- creating -------------------------------------------------------------------------------------
    def run(self) -> dict[str, Attributes]:
        from botocore.exceptions import BotoCoreError, ClientError

        for logical_id in self._order():
            resource = self.resources[logical_id]
            kind = str(resource["Type"])
            spec = types.TYPES[kind]
            raw = resource.get("Properties") or {}
            if not isinstance(raw, Mapping):
                raise self.error(logical_id, "must be a mapping", "Properties")
            for prop in raw:
                if prop not in spec.properties:
                    raise self.error(logical_id, f"unknown property of {kind}", str(prop))
            props: dict[str, Any] = {}
            for prop, value in raw.items():
                try:
                    props[prop] = self.resolver.resolve(value)
                except UnresolvableError as exc:
                    raise self.error(logical_id, str(exc), str(prop)) from None
            if spec.name_property and spec.check_name:
                name = props.get(spec.name_property)
                if name is not None:
                    problem = spec.check_name(str(name), props)
                    if problem:
                        raise self.error(logical_id, problem, spec.name_property)
            try:
                self.created[logical_id] = _CREATORS[kind](self, logical_id, props)
            except TemplateError:
                raise
            except ClientError as exc:
                detail = exc.response.get("Error", {})
                raise self.error(logical_id, f"{detail.get('Code', 'Error')}: {detail.get('Message', exc)}",
                                 "Properties") from None
            except (BotoCoreError, ValueError, TypeError, KeyError) as exc:
                raise self.error(logical_id, str(exc), "Properties") from None
        return self.created


def _flag(value: Any) -> bool:
    return str(value).lower() == "true"


def _tags(props: Mapping[str, Any]) -> list[dict[str, str]]:
    tags = props.get("Tags") or []
    return [{"Key": str(tag["Key"]), "Value": str(tag["Value"])} for tag in tags] if isinstance(tags, list) else []


def _queue(p: _Provisioner, logical_id: str, props: dict[str, Any]) -> Attributes:
    fifo = _flag(props.get("FifoQueue"))
    name = str(props.get("QueueName") or (f"{logical_id}.fifo" if fifo else logical_id))
    attributes: dict[str, str] = {}
    for prop in ("DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds",
                 "VisibilityTimeout", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "DeduplicationScope",
                 "FifoThroughputLimit", "SqsManagedSseEnabled"):
        if prop in props:
            attributes[prop] = str(props[prop]).lower() if isinstance(props[prop], bool) else str(props[prop])
    if fifo:
        attributes["FifoQueue"] = "true"
    if "ContentBasedDeduplication" in props:
        attributes["ContentBasedDeduplication"] = str(_flag(props["ContentBasedDeduplication"])).lower()
    for prop in ("RedrivePolicy", "RedriveAllowPolicy"):
        if prop in props:
            value = props[prop]
            attributes[prop] = value if isinstance(value, str) else json.dumps(value)
    sqs = p.client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return {"Ref": url, "QueueUrl": url, "Arn": arn, "QueueName": name}


def _subscribe(p: _Provisioner, topic_arn: str, protocol: str, endpoint: str, attributes: dict[str, str],
               logical_id: str) -> str | None:
    if protocol not in ("sqs", "lambda"):
        log.warning("%s: %s subscribes over %r, which the workbench does not deliver yet (sqs and lambda only); "
                    "skipped", p.path, logical_id, protocol)
        return None
    if protocol == "lambda":
        # The workbench delivers it: SNS writes to a delivery queue (never raw: the record needs the envelope).
        queue_url, queue_arn, function, qualifier = p.delivery_queue("sns", logical_id, endpoint, topic_arn,
                                                                     "Endpoint")
        attributes = {key: value for key, value in attributes.items() if key != "RawMessageDelivery"}
        answer = p.client("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn,
                                           Attributes=attributes, ReturnSubscriptionArn=True)
        subscription = str(answer["SubscriptionArn"])
        p.deliveries.append(Delivery("sns", function, qualifier, queue_url, topic_arn, subscription))
        return subscription
    answer = p.client("sns").subscribe(TopicArn=topic_arn, Protocol=protocol, Endpoint=endpoint,
                                       Attributes=attributes, ReturnSubscriptionArn=True)
    return str(answer["SubscriptionArn"])


def _topic(p: _Provisioner, logical_id: str, props: dict[str, Any]) -> Attributes:
    fifo = _flag(props.get("FifoTopic"))
    name = str(props.get("TopicName") or (f"{logical_id}.fifo" if fifo else logical_id))
    attributes = {"FifoTopic": "true"} if fifo else {}
    if "DisplayName" in props:
        attributes["DisplayName"] = str(props["DisplayName"])
    if "ContentBasedDeduplication" in props:
        attributes["ContentBasedDeduplication"] = str(_flag(props["ContentBasedDeduplication"])).lower()
    arn = p.client("sns").create_topic(Name=name, Attributes=attributes, **(
        {"Tags": _tags(props)} if _tags(props) else {}))["TopicArn"]
    for subscription in props.get("Subscription") or []:
        _subscribe(p, arn, str(subscription["Protocol"]), str(subscription["Endpoint"]), {}, logical_id)
    return {"Ref": arn, "TopicArn": arn, "TopicName": name}


def _subscription(p: _Provisioner, logical_id: str, props: dict[str, Any]) -> Attributes:
    for required in ("TopicArn", "Protocol"):
        if required not in props:
            raise p.error(logical_id, "is required", required)
    attributes: dict[str, str] = {}
    if "RawMessageDelivery" in props:
        attributes["RawMessageDelivery"] = str(_flag(props["RawMessageDelivery"])).lower()
    for prop in ("FilterPolicy", "RedrivePolicy", "DeliveryPolicy"):
        if prop in props:
            value = props[prop]
            attributes[prop] = value if isinstance(value, str) else json.dumps(value)
    if "FilterPolicyScope" in props:
        attributes["FilterPolicyScope"] = str(props["FilterPolicyScope"])
    arn = _subscribe(p, str(props["TopicArn"]), str(props["Protocol"]).lower(), str(props.get("Endpoint", "")),
                     attributes, logical_id)
    return {"Ref": arn or logical_id, "Arn": arn or ""}


def _stream(p: _Provisioner, logical_id: str, props: dict[str, Any]) -> Attributes:
    name = str(props.get("Name") or logical_id)
    mode = str((props.get("StreamModeDetails") or {}).get("StreamMode", "PROVISIONED"))
    kinesis = p.client("kinesis")
    if mode == "ON_DEMAND":
        kinesis.create_stream(StreamName=name, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    else:
        try:
            shards = int(props.get("ShardCount", 1))
        except (TypeError, ValueError):
            raise p.error(logical_id, f"must be a whole number (got {props.get('ShardCount')!r})",
                          "ShardCount") from None
        if shards < 1:
            raise p.error(logical_id, f"a stream needs at least 1 shard (got {shards})", "ShardCount")
        kinesis.create_stream(StreamName=name, ShardCount=shards)
    if "RetentionPeriodHours" in props and int(props["RetentionPeriodHours"]) > 24:
        kinesis.increase_stream_retention_period(StreamName=name,
                                                 RetentionPeriodHours=int(props["RetentionPeriodHours"]))
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    return {"Ref": name, "Arn": arn, "Name": name}


def _create_table(p: _Provisioner, name: str, arguments: dict[str, Any]) -> Attributes:
    description = p.client("dynamodb").create_table(TableName=name, **arguments)["TableDescription"]
    attributes = {"Ref": name, "Arn": str(description["TableArn"]), "TableName": name}
    if description.get("LatestStreamArn"):
        attributes["StreamArn"] = str(description["LatestStreamArn"])
    return attributes


def _stream_specification(props: Mapping[str, Any]) -> dict[str, Any]:
    spec = props.get("StreamSpecification")
    if not spec:
        return {}
    return {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": str(spec["StreamViewType"])}}


def _table(p: _Provisioner, logical_id: str, props: dict[str, Any]) -> Attributes:
    for required in ("KeySchema", "AttributeDefinitions"):
        if required not in props:
            raise p.error(logical_id, "is required", required)
    arguments: dict[str, Any] = {"KeySchema": props["KeySchema"], "AttributeDefinitions": props["AttributeDefinitions"]}
    if "ProvisionedThroughput" in props and props.get("BillingMode") != "PAY_PER_REQUEST":
        throughput = props["ProvisionedThroughput"]
        arguments["ProvisionedThroughput"] = {key: int(throughput[key]) for key in
                                              ("ReadCapacityUnits", "WriteCapacityUnits")}
    else:
        arguments["BillingMode"] = "PAY_PER_REQUEST"
    for prop in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if prop in props:
            arguments[prop] = props[prop]
    arguments.update(_stream_specification(props))
    if _tags(props):
        arguments["Tags"] = _tags(props)
    name = str(props.get("TableName") or logical_id)
    attributes = _create_table(p, name, arguments)
    ttl = props.get("TimeToLiveSpecification")
    if ttl and _flag(ttl.get("Enabled")):
        p.client("dynamodb").update_time_to_live(TableName=name, TimeToLiveSpecification={
            "Enabled": True, "AttributeName": str(ttl["AttributeName"])})
    return attributes


_SIMPLE_TYPES = {"String": "S", "Number": "N", "Binary": "B"}


def _simple_table(p: _Provisioner, logical_id: str, props: dict[str, Any]) -> Attributes:
    key = props.get("PrimaryKey") or {"Name": "id", "Type": "String"}
    kind = _SIMPLE_TYPES.get(str(key.get("Type")))
    if kind is None or "Name" not in key:
        raise p.error(logical_id, "needs a Name and a Type of String, Number or Binary", "PrimaryKey")
    arguments: dict[str, Any] = {
        "KeySchema": [{"AttributeName": str(key["Name"]), "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": str(key["Name"]), "AttributeType": kind}],
    }
    throughput = props.get("ProvisionedThroughput")
    if throughput:
        arguments["ProvisionedThroughput"] = {k: int(throughput[k]) for k in ("ReadCapacityUnits",
                                                                               "WriteCapacityUnits")}
    else:
        arguments["BillingMode"] = "PAY_PER_REQUEST"
    arguments.update(_stream_specification(props))
    return _create_table(p, str(props.get("TableName") or logical_id), arguments)


def _bus(p: _Provisioner, logical_id: str, props: dict[str, Any]) -> Attributes:
    if "Name" not in props:
        raise p.error(logical_id, "is required", "Name")
    name = str(props["Name"])
    extra = {"Description": str(props["Description"])} if "Description" in props else {}
    arn = p.client("events").create_event_bus(Name=name, **extra)["EventBusArn"]
    return {"Ref": name, "Arn": str(arn), "Name": name}


def _rule(p: _Provisioner, logical_id: str, props: dict[str, Any]) -> Attributes:
    name = str(props.get("Name") or logical_id)
    bus = str(props.get("EventBusName") or "default")
    if bus.startswith("arn:"):
        bus = bus.rsplit("/", 1)[-1]
    arguments: dict[str, Any] = {"Name": name, "EventBusName": bus, "State": str(props.get("State", "ENABLED"))}
    if "EventPattern" in props:
        pattern = props["EventPattern"]
        arguments["EventPattern"] = pattern if isinstance(pattern, str) else json.dumps(pattern)
    if "ScheduleExpression" in props:
        arguments["ScheduleExpression"] = str(props["ScheduleExpression"])
    if "Description" in props:
        arguments["Description"] = str(props["Description"])
    if "EventPattern" not in arguments and "ScheduleExpression" not in arguments:
        raise p.error(logical_id, "a rule needs an EventPattern or a ScheduleExpression", "EventPattern")
    events = p.client("events")
    arn = events.put_rule(**arguments)["RuleArn"]
    targets = []
    for target in props.get("Targets") or []:
        target_arn = str(target.get("Arn", ""))
        if ":lambda:" in target_arn:
            if "ScheduleExpression" in arguments and "EventPattern" not in arguments:
                log.warning("%s: %s is a schedule, which the local services do not run; its target %s is not "
                            "invoked", p.path, logical_id, target_arn)
                continue
            # The workbench delivers it: the rule sends to a delivery queue (Input* applied by EventBridge).
            queue_url, target_arn, function, qualifier = p.delivery_queue("events", logical_id, target_arn,
                                                                          str(arn), "Targets")
            p.deliveries.append(Delivery("events", function, qualifier, queue_url, str(arn)))
        elif ":sqs:" not in target_arn:
            log.warning("%s: %s targets %s, which the workbench does not deliver to yet (SQS queues and Lambda "
                        "functions only); skipped", p.path, logical_id, target_arn or "nothing")
            continue
        entry: dict[str, Any] = {"Id": str(target.get("Id") or logical_id), "Arn": target_arn}
        for key in ("Input", "InputPath", "InputTransformer", "SqsParameters"):
            if key in target:
                entry[key] = target[key]
        targets.append(entry)
    if targets:
        failed = events.put_targets(Rule=name, EventBusName=bus, Targets=targets).get("FailedEntries") or []
        if failed:
            raise p.error(logical_id, f"{failed[0].get('ErrorCode')}: {failed[0].get('ErrorMessage')}", "Targets")
    return {"Ref": name, "Arn": str(arn), "Name": name}


def _bucket(p: _Provisioner, logical_id: str, props: dict[str, Any]) -> Attributes:
    name = str(props.get("BucketName") or logical_id.lower())
    problem = types.TYPES[types.S3_BUCKET].check_name
    if "BucketName" not in props and problem is not None and problem(name, props):
        raise p.error(logical_id, f"cannot be derived from the logical id ({problem(name, props)}); set it",
                      "BucketName")
    s3 = p.client("s3")
    if p.region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": p.region})
    if str((props.get("VersioningConfiguration") or {}).get("Status", "")) == "Enabled":
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    _notifications(p, logical_id, name, props.get("NotificationConfiguration") or {})
    return {"Ref": name, "Arn": f"arn:aws:s3:::{name}", "BucketName": name,
            "DomainName": f"{name}.s3.amazonaws.com",
            "RegionalDomainName": f"{name}.s3.{p.region}.amazonaws.com"}


def _notifications(p: _Provisioner, logical_id: str, bucket: str, config: Any) -> None:
    """S3 notifications: to SQS queues as given, to Lambda functions through delivery queues (S3 sends them
    the same event records Lambda receives)."""
    if not isinstance(config, Mapping):
        raise p.error(logical_id, "must be a mapping", "NotificationConfiguration")
    queues: list[dict[str, Any]] = []
    for entry in config.get("QueueConfigurations") or []:
        queues.append({"QueueArn": str(entry["Queue"]), "Events": [str(entry["Event"])],
                       **({"Filter": _s3_filter(entry["Filter"])} if entry.get("Filter") else {})})
    for entry in config.get("LambdaConfigurations") or []:
        if "Function" not in entry or "Event" not in entry:
            raise p.error(logical_id, "each LambdaConfiguration needs a Function and an Event",
                          "NotificationConfiguration")
        queue_url, queue_arn, function, qualifier = p.delivery_queue(
            "s3", logical_id, str(entry["Function"]), f"arn:aws:s3:::{bucket}", "NotificationConfiguration")
        p.deliveries.append(Delivery("s3", function, qualifier, queue_url, f"arn:aws:s3:::{bucket}"))
        queues.append({"QueueArn": queue_arn, "Events": [str(entry["Event"])],
                       **({"Filter": _s3_filter(entry["Filter"])} if entry.get("Filter") else {})})
    if config.get("TopicConfigurations"):
        log.warning("%s: %s notifies SNS topics, which the workbench does not deliver yet; skipped", p.path,
                    logical_id)
    if queues:
        p.client("s3").put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
            "QueueConfigurations": queues})


def _s3_filter(value: Any) -> dict[str, Any]:
    """CloudFormation's `Filter: {S3Key: {Rules: [...]}}` as the S3 API spells it (`Key: {FilterRules}`)."""
    rules = ((value or {}).get("S3Key") or {}).get("Rules") or []
    return {"Key": {"FilterRules": [{"Name": str(rule["Name"]), "Value": str(rule["Value"])} for rule in rules]}}


_CREATORS: dict[str, _Creator] = {
    types.SQS_QUEUE: _queue, types.SNS_TOPIC: _topic, types.SNS_SUBSCRIPTION: _subscription,
    types.KINESIS_STREAM: _stream, types.DYNAMODB_TABLE: _table, types.SIMPLE_TABLE: _simple_table,
    types.EVENT_BUS: _bus, types.EVENT_RULE: _rule, types.S3_BUCKET: _bucket,
}
