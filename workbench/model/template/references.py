"""What `Ref` and `Fn::GetAtt` give for a template's own resources, as CloudFormation would locally.

Lambda's resources get the names and ARNs the workbench gives them. Other resources get what the caller
provisioned (``resource_attributes``: logical id -> {"Ref": ..., "Arn": ..., ...}), else their logical id
(`Ref`) or ``<id>.<attribute>`` (`GetAtt`) as a recognisable stand-in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from workbench.model import arn
from workbench.model.intrinsics import UnresolvableError

#: The property that names each Lambda resource type's physical resource.
_NAME_PROPERTY = {"AWS::Lambda::Function": "FunctionName", "AWS::Lambda::LayerVersion": "LayerName",
                  "AWS::IAM::Role": "RoleName"}


class ResourceReferences:
    """``resolve`` resolves a property value (it is given once the resolver exists: the two call each other)."""

    def __init__(self, resources: Mapping[str, Any], attributes: Mapping[str, Mapping[str, str]]) -> None:
        self.resources = resources
        self.attributes = attributes
        self.resolve: Callable[[Any], Any] = lambda value: value
        self._resolving: set[str] = set()

    def _type(self, logical_id: str) -> str | None:
        resource = self.resources.get(logical_id)
        return str(resource.get("Type")) if isinstance(resource, dict) else None

    def _property(self, logical_id: str, key: str) -> Any:
        resource = self.resources[logical_id]
        props = resource.get("Properties") or {}
        if key not in props:
            return None
        if logical_id in self._resolving:
            raise UnresolvableError(f"{logical_id}.{key} refers to itself")
        self._resolving.add(logical_id)
        try:
            return self.resolve(props[key])
        finally:
            self._resolving.discard(logical_id)

    def physical_name(self, logical_id: str) -> str | None:
        kind = self._type(logical_id)
        if kind is None:
            return None
        key = _NAME_PROPERTY.get(kind)
        name = self._property(logical_id, key) if key is not None else None
        return logical_id if name is None else str(name)

    def _provided(self, logical_id: str, attribute: str) -> str | None:
        if str(self._type(logical_id)).startswith("AWS::Lambda::"):
            return None
        return (self.attributes.get(logical_id) or {}).get(attribute)

    def _alias_arn(self, logical_id: str) -> str:
        function = self._property(logical_id, "FunctionName")
        name = self._property(logical_id, "Name")
        base = arn.parse_function_ref(str(function)).name if function is not None else logical_id
        return arn.function_arn(base, str(name) if name is not None else None)

    def ref(self, logical_id: str) -> str | None:
        kind = self._type(logical_id)
        if kind is None:
            return None
        provided = self._provided(logical_id, "Ref")
        if provided is not None:
            return provided
        if kind == "AWS::Lambda::Alias":
            return self._alias_arn(logical_id)
        if kind == "AWS::Lambda::Version":   # its number is known once the engine publishes it
            function = self._property(logical_id, "FunctionName")
            return arn.function_arn(arn.parse_function_ref(str(function)).name) if function else logical_id
        name = self.physical_name(logical_id)
        return arn.layer_arn(str(name)) if kind == "AWS::Lambda::LayerVersion" else name

    def getatt(self, logical_id: str, attribute: str) -> str | None:
        kind = self._type(logical_id)
        if kind is None:
            return None
        provided = self._provided(logical_id, attribute)
        if provided is not None:
            return provided
        if kind == "AWS::Lambda::Function" and attribute == "Arn":
            return arn.function_arn(str(self.physical_name(logical_id)))
        if kind == "AWS::Lambda::LayerVersion" and attribute == "LayerVersionArn":
            return self.ref(logical_id)
        if kind == "AWS::IAM::Role" and attribute == "Arn":
            return f"arn:aws:iam::{arn.DEFAULT_ACCOUNT}:role/{self.physical_name(logical_id)}"
        return f"{self.physical_name(logical_id)}.{attribute}"
