"""The control plane of asynchronous invocation: Put/Update/Get/Delete/ListFunctionEventInvokeConfigs, with
Lambda's checks on ranges and destinations, written to the store and announced as `CatalogueChanged`."""

from __future__ import annotations

import logging
from typing import Any

from workbench.engine.asynchronous.config import KEEP, EventInvokeConfig, EventInvokeConfigs, check_ranges
from workbench.engine.asynchronous.delivery import Deliverer, parse_target
from workbench.engine.asynchronous.store import QueueStore
from workbench.engine.catalogue.functions import FunctionRegistry, parse_name
from workbench.engine.core.clock import Clock
from workbench.engine.core.errors import InvalidParameterValueError, LambdaError, ResourceNotFoundError
from workbench.engine.core.tasks import Supervisor
from workbench.engine.observation.changes import ChangeAnnouncer
from workbench.engine.observation.events import CatalogueChanged, CatalogueResource, Change, EngineEvent, EventBus
from workbench.model.arn import LATEST
from workbench.model.project import Project

log = logging.getLogger(__name__)

#: Destination services the workbench delivers to, as AWS does; S3 buckets for OnFailure only.
DESTINATION_SERVICES = {"sqs": "an SQS queue", "sns": "an SNS topic", "lambda": "a Lambda function",
                        "events": "an EventBridge event bus", "s3": "an S3 bucket (OnFailure only)"}


def check_on_success_not_s3(on_success: str | None, on_failure: str | None) -> None:
    """AWS refuses an S3 bucket as an OnSuccess destination, naming the whole configuration."""
    target = parse_target(on_success) if on_success else None
    if target is not None and target.service == "s3":
        failure = f"OnFailure(destination={on_failure})" if on_failure else "null"
        raise InvalidParameterValueError(f"The provided destination config DestinationConfig(onSuccess=OnSuccess("
                                         f"destination={on_success}), onFailure={failure}) is invalid.")


class EventInvokeControl:
    def __init__(self, registry: FunctionRegistry, configs: EventInvokeConfigs, store: QueueStore,
                 deliverer: Deliverer, clock: Clock, bus: EventBus, supervisor: Supervisor) -> None:
        self._registry = registry
        self._supervisor = supervisor
        self._configs = configs
        self._store = store
        self._deliverer = deliverer
        self._clock = clock
        self._announce = ChangeAnnouncer(bus, clock)
        bus.subscribe(self._follow_catalogue)

    async def load(self) -> None:
        for config in await self._store.configs():
            self._configs.set(config)

    def _target(self, function: str, qualifier: str | None) -> tuple[str, str]:
        """The function's name and the qualifier (checked to exist): $LATEST when none is given."""
        ref = parse_name(function)
        if ref.qualifier and qualifier and ref.qualifier != qualifier:
            raise InvalidParameterValueError("The derived qualifier from the function name does not match the "
                                             "specified qualifier.")
        wanted = qualifier or ref.qualifier or LATEST
        entry = self._registry.get(ref.name)
        if wanted != LATEST and wanted not in entry.versions and wanted not in entry.aliases:
            raise ResourceNotFoundError(f"Function not found: {self._registry.arn(entry.name, wanted)}")
        return entry.name, wanted

    def _missing(self, name: str, qualifier: str) -> ResourceNotFoundError:
        return ResourceNotFoundError(f"The function {self._registry.arn(name, qualifier)} doesn't have an "
                                     "EventInvokeConfig")

    async def check_destination(self, function: str, arn: str) -> None:
        """A destination must be a queue, topic, function or bus that exists (when that can be known)."""
        if self._check_destination_arn(function, arn) != "lambda" and await self._deliverer.exists(arn) is False:
            raise InvalidParameterValueError(f"The destination ARN {arn} is invalid: it does not exist at "
                                             f"{self._deliverer.where}.")

    def _check_destination_arn(self, function: str, arn: str) -> str:
        """What can be checked without asking the services: the ARN's service (returned), and a function
        destination."""
        target = parse_target(arn)
        if target is None or target.service not in DESTINATION_SERVICES:
            raise InvalidParameterValueError(f"The destination ARN {arn} is invalid. The workbench delivers to "
                                             f"{', '.join(DESTINATION_SERVICES.values())}.")
        if target.service == "lambda":
            ref = parse_name(arn)
            if ref.name not in self._registry:
                raise InvalidParameterValueError(f"The destination ARN {arn} is invalid: the function does not "
                                                 "exist.")
            if self._registry.get(ref.name).name == function:
                raise InvalidParameterValueError("You can't specify the function as a destination for itself.")
        return target.service

    async def _checked(self, config: EventInvokeConfig) -> EventInvokeConfig:
        check_ranges(config.maximum_retry_attempts, config.maximum_event_age_s)
        check_on_success_not_s3(config.on_success, config.on_failure)
        for arn in (config.on_success, config.on_failure):
            if arn:
                await self.check_destination(config.function, arn)
        return config

    async def put(self, function: str, qualifier: str | None = None, *, maximum_retry_attempts: int | None = None,
                  maximum_event_age_s: int | None = None, on_success: str | None = None,
                  on_failure: str | None = None) -> EventInvokeConfig:
        """PutFunctionEventInvokeConfig: replaces the whole configuration (members left out are removed)."""
        name, wanted = self._target(function, qualifier)
        config = await self._checked(EventInvokeConfig(
            name, wanted, maximum_retry_attempts, maximum_event_age_s, on_success or None, on_failure or None,
            self._clock.time()))
        return await self._save(config, Change.UPDATED if self._configs.get(name, wanted) else Change.CREATED)

    async def update(self, function: str, qualifier: str | None = None, **changes: Any) -> EventInvokeConfig:
        """UpdateFunctionEventInvokeConfig: members given replace, the others stay (KEEP marks left out)."""
        name, wanted = self._target(function, qualifier)
        current = self._configs.get(name, wanted)
        if current is None:
            raise self._missing(name, wanted)
        for key in ("on_success", "on_failure"):
            if changes.get(key, KEEP) is not KEEP:
                changes[key] = changes[key] or None
        config = await self._checked(current.merged(**changes, last_modified=self._clock.time()))
        return await self._save(config, Change.UPDATED)

    async def _save(self, config: EventInvokeConfig, change: Change) -> EventInvokeConfig:
        self._configs.set(config)
        await self._store.save_config(config)
        self._announce(CatalogueResource.EVENT_INVOKE_CONFIG, change, config.function, config.qualifier)
        return config

    async def apply_template(self, project: Project | None) -> None:
        """The template's EventInvokeConfigs, over what the store remembers (see `template.py`): applied at
        every start, after the template's functions, versions and aliases exist, and not written to the store.
        Destinations are checked for their form only (the template's own queues were just provisioned; an
        external one may appear later, and a delivery that fails says so)."""
        if project is None:
            return
        for definition in project.template.event_invoke_configs:
            try:
                name, qualifier = self._target(definition.function, definition.qualifier)
                check_ranges(definition.maximum_retry_attempts, definition.maximum_event_age_s)
                check_on_success_not_s3(definition.on_success, definition.on_failure)
                for arn in (definition.on_success, definition.on_failure):
                    if arn:
                        self._check_destination_arn(name, arn)
            except LambdaError as exc:
                log.warning("%s: %s: the EventInvokeConfig is ignored: %s", project.template_path,
                            definition.logical_id, exc.message)
                continue
            change = Change.UPDATED if self._configs.get(name, qualifier) else Change.CREATED
            self._configs.set(EventInvokeConfig(
                name, qualifier, definition.maximum_retry_attempts, definition.maximum_event_age_s,
                definition.on_success or None, definition.on_failure or None, self._clock.time()))
            self._announce(CatalogueResource.EVENT_INVOKE_CONFIG, change, name, qualifier)

    def get(self, function: str, qualifier: str | None = None) -> EventInvokeConfig:
        name, wanted = self._target(function, qualifier)
        config = self._configs.get(name, wanted)
        if config is None:
            raise self._missing(name, wanted)
        return config

    def list(self, function: str) -> list[EventInvokeConfig]:
        return self._configs.of_function(self._registry.get(parse_name(function).name).name)

    async def delete(self, function: str, qualifier: str | None = None) -> None:
        name, wanted = self._target(function, qualifier)
        if self._configs.get(name, wanted) is None:
            raise self._missing(name, wanted)
        self._configs.remove(name, wanted)
        await self._store.delete_configs(name, wanted)
        self._announce(CatalogueResource.EVENT_INVOKE_CONFIG, Change.DELETED, name, wanted)

    def _follow_catalogue(self, event: EngineEvent) -> None:
        """A deleted function, version or alias takes its configuration with it."""
        if not isinstance(event, CatalogueChanged) or event.change is not Change.DELETED:
            return
        if event.resource is CatalogueResource.FUNCTION:
            qualifier = None
        elif event.resource in (CatalogueResource.VERSION, CatalogueResource.ALIAS) and event.qualifier:
            qualifier = event.qualifier
        else:
            return
        if self._configs.remove(event.name, qualifier):
            self._supervisor.spawn(self._store.delete_configs(event.name, qualifier),
                                   f"forget-event-invoke-config-{event.name}")
