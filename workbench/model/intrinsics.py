"""Resolve the CloudFormation intrinsics a local workbench can know the value of.

`Ref`, `Fn::Sub`, `Fn::GetAtt`, `Fn::Join`, `Fn::Select`, `Fn::Split` and `Fn::Base64` over parameters,
pseudo parameters and the template's own resources. Anything else (`Fn::ImportValue`, conditions, ...)
raises `UnresolvableError`, which the template loader turns into an error naming the property.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from typing import Any

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class UnresolvableError(ValueError):
    pass


class _NoValue:
    """`AWS::NoValue`: the property is removed."""


NO_VALUE = _NoValue()


class IntrinsicResolver:
    """Resolves intrinsic functions against parameters, pseudo parameters and resource attributes.

    ``ref_resource`` and ``getatt_resource`` give the value of a resource's `Ref` / an attribute, or None.
    """

    def __init__(
        self,
        parameters: Mapping[str, Any],
        ref_resource: Callable[[str], str | None],
        getatt_resource: Callable[[str, str], str | None],
    ) -> None:
        self._parameters = parameters
        self._ref_resource = ref_resource
        self._getatt_resource = getatt_resource

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [item for item in (self.resolve(v) for v in value) if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, argument), = value.items()
            handler = self._HANDLERS.get(key)
            if handler is not None:
                return handler(self, argument)
            if key.startswith("Fn::") or key == "Condition":
                raise UnresolvableError(f"{key} is not supported by the local workbench")
        resolved = {k: self.resolve(v) for k, v in value.items()}
        return {k: v for k, v in resolved.items() if v is not NO_VALUE}

    def _ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            raise UnresolvableError(f"Ref needs a name (got {name!r})")
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self._parameters:
            return self._parameters[name]
        value = self._ref_resource(name)
        if value is None:
            raise UnresolvableError(f"Ref to unknown parameter or resource {name!r}")
        return value

    def _getatt(self, argument: Any) -> str:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        if not (isinstance(argument, list) and len(argument) == 2):
            raise UnresolvableError(f"Fn::GetAtt needs [resource, attribute] (got {argument!r})")
        resource, attribute = (self.resolve(part) for part in argument)
        value = self._getatt_resource(str(resource), str(attribute))
        if value is None:
            raise UnresolvableError(f"Fn::GetAtt to unknown resource {resource!r}")
        return value

    def _sub(self, argument: Any) -> str:
        if isinstance(argument, str):
            template, variables = argument, {}
        elif isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str):
            template, variables = argument[0], self.resolve(argument[1])
        else:
            raise UnresolvableError(f"Fn::Sub needs a string or [string, map] (got {argument!r})")

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name and name not in self._parameters:
                return self._getatt(name.split(".", 1))
            value = self._ref(name)
            if value is NO_VALUE or isinstance(value, list | dict):
                raise UnresolvableError(f"${{{name}}} cannot be used inside Fn::Sub: it is not a string")
            return str(value)

        return _SUB_VARIABLE.sub(substitute, template)

    def _join(self, argument: Any) -> str:
        if not (isinstance(argument, list) and len(argument) == 2):
            raise UnresolvableError(f"Fn::Join needs [delimiter, [values]] (got {argument!r})")
        delimiter, values = argument[0], self.resolve(argument[1])
        if not isinstance(values, list):
            raise UnresolvableError("Fn::Join needs a list of values")
        return str(delimiter).join(str(v) for v in values)

    def _select(self, argument: Any) -> Any:
        if not (isinstance(argument, list) and len(argument) == 2):
            raise UnresolvableError(f"Fn::Select needs [index, list] (got {argument!r})")
        index, values = self.resolve(argument[0]), self.resolve(argument[1])
        if isinstance(index, bool) or not isinstance(index, int | str) or not str(index).isascii() \
                or not str(index).strip().isdigit() or len(str(index).strip()) > 9:
            raise UnresolvableError(f"Fn::Select needs a non-negative integer index (got {index!r})")
        index = int(index)
        if not isinstance(values, list) or not 0 <= index < len(values):
            raise UnresolvableError(f"Fn::Select index {index} out of range")
        return values[index]

    def _split(self, argument: Any) -> list[str]:
        if not (isinstance(argument, list) and len(argument) == 2):
            raise UnresolvableError(f"Fn::Split needs [delimiter, string] (got {argument!r})")
        delimiter = self.resolve(argument[0])
        if not isinstance(delimiter, str) or not delimiter:
            raise UnresolvableError(f"Fn::Split needs a non-empty delimiter (got {delimiter!r})")
        return str(self.resolve(argument[1])).split(delimiter)

    def _base64(self, argument: Any) -> str:
        return base64.b64encode(str(self.resolve(argument)).encode()).decode()

    _HANDLERS: dict[str, Callable[[IntrinsicResolver, Any], Any]] = {
        "Ref": _ref,
        "Fn::GetAtt": _getatt,
        "Fn::Sub": _sub,
        "Fn::Join": _join,
        "Fn::Select": _select,
        "Fn::Split": _split,
        "Fn::Base64": _base64,
    }
