"""Read a template's text into plain data, within bounds a hostile or careless file cannot break.

CloudFormation YAML: short-form tags (`!Ref`, `!Sub`, `!GetAtt`, ...) become their long forms, and dates
stay strings (`Version: 2012-10-17` is text to CloudFormation). The bounds, each a clear error instead of a
freeze, a `MemoryError` or a traceback:

- the file's size (CloudFormation's own limit, read without trusting `stat`: a FIFO or /dev/zero cannot
  make us read forever);
- nesting depth, checked while composing (the composer recurses, so 5,000 levels would overflow it);
- alias expansion: YAML aliases share one node, but everything after parsing (intrinsics, the SAM
  translator, hashing) walks the expanded tree, so a "billion laughs" is refused by counting the nodes and
  the depth the tree would have once expanded, in linear time, while composing;
- recursive aliases (an alias inside its own anchor), which would make that tree infinite;
- duplicate keys, which YAML parsers silently resolve to the last one and CloudFormation rejects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from workbench.model.template.errors import TemplateError, split_location

#: CloudFormation's limit for a template body (stored in S3; the inline limit is 51,200 bytes).
MAX_TEMPLATE_BYTES = 1_048_576
#: Deeper than any real template (IAM policies and state machine definitions stay well under 30).
MAX_DEPTH = 100
#: Nodes the document may have once aliases are expanded: a 1 MB template has a few hundred thousand at most.
MAX_EXPANDED_NODES = 1_000_000

_MERGE_TAG = "tag:yaml.org,2002:merge"
_WHERE_KEYS = 8


class SourceError(ValueError):
    """A bound was crossed or the YAML is malformed; ``keys`` is where in the document (may be empty)."""

    def __init__(self, message: str, keys: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.keys = keys


class _CfnConstructor(SafeConstructor):
    """SafeConstructor plus CloudFormation's short-form intrinsic tags; timestamps stay text."""

    def construct_cfn_tag(self, tag_suffix: str, node: Node) -> dict[str, Any]:
        if isinstance(node, ScalarNode):
            value: Any = self.construct_scalar(node)
        elif isinstance(node, SequenceNode):
            value = self.construct_sequence(node, deep=True)
        else:
            value = self.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        if tag_suffix == "Ref":
            return {"Ref": value}
        if tag_suffix == "Condition":
            return {"Condition": value}
        if tag_suffix == "GetAtt" and isinstance(value, str):
            resource, _, attribute = value.partition(".")
            return {"Fn::GetAtt": [resource, attribute]}
        return {f"Fn::{tag_suffix}": value}

    def construct_text(self, node: Node) -> str:
        return str(self.construct_scalar(node))  # type: ignore[arg-type]


_CfnConstructor.add_multi_constructor("!", _CfnConstructor.construct_cfn_tag)
_CfnConstructor.add_constructor("tag:yaml.org,2002:timestamp", _CfnConstructor.construct_text)  # type: ignore[type-var]


class _BoundedComposer(Composer):
    """The composer with the bounds above, tracking the key path so errors can say where they are."""

    def __init__(self) -> None:
        super().__init__()
        self._keys: list[str] = []
        #: id(node) -> (expanded node count, expanded height); aliases reuse the entry of their anchor.
        self._extent: dict[int, tuple[int, int]] = {}

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if isinstance(index, ScalarNode):
            label = str(index.value)
        elif isinstance(index, int):
            label = str(index)
        else:
            label = "(key)" if parent is not None else ""
        if parent is not None:
            self._keys.append(label)
        try:
            if len(self._keys) > MAX_DEPTH:
                raise SourceError(f"nested more than {MAX_DEPTH} levels deep{_at(cast(Any, self).peek_event())}",
                                  self._where())
            node = super().compose_node(parent, index)
            if node is not None and id(node) not in self._extent:
                if node.end_mark is None:   # an alias to a collection that is still open: itself
                    raise SourceError(f"recursive alias: it refers to a collection that contains it"
                                      f"{_at(node)}", self._where())
                self._measure(node)
            return node
        finally:
            if parent is not None:
                self._keys.pop()

    def _where(self) -> tuple[str, ...]:
        """The key path so far, cut short: enough to find the place, never thousands of levels."""
        return tuple(self._keys[:_WHERE_KEYS])

    def _measure(self, node: Node) -> None:
        if isinstance(node, SequenceNode):
            children: list[Node] = list(node.value)
        elif isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
            self._refuse_duplicate_keys(node)
        else:
            self._extent[id(node)] = (1, 1)
            return
        extents = [self._extent[id(child)] for child in children]
        count = 1 + sum(size for size, _ in extents)
        height = 1 + max((depth for _, depth in extents), default=0)
        if count > MAX_EXPANDED_NODES:
            raise SourceError(f"expands to more than {MAX_EXPANDED_NODES:,} nodes through aliases{_at(node)}",
                              self._where())
        if height > MAX_DEPTH:
            raise SourceError(f"nested more than {MAX_DEPTH} levels deep once aliases are expanded{_at(node)}",
                              self._where())
        self._extent[id(node)] = (count, height)

    def _refuse_duplicate_keys(self, node: MappingNode) -> None:
        seen: set[str] = set()
        for key, _value in node.value:
            if not isinstance(key, ScalarNode) or key.tag == _MERGE_TAG:
                continue
            if key.value in seen:
                raise SourceError(f"duplicate key {key.value!r}{_at(key)}", (*self._where(), str(key.value)))
            seen.add(key.value)


def _at(item: Any) -> str:
    mark = getattr(item, "start_mark", None)
    return f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""


try:  # libyaml scans and parses about five times faster; the composer above stays in Python either way
    from yaml.cyaml import CParser  # type: ignore[attr-defined]

    class _Loader(_BoundedComposer, CParser, _CfnConstructor, Resolver):
        def __init__(self, stream: bytes) -> None:
            CParser.__init__(self, stream)
            _BoundedComposer.__init__(self)
            _CfnConstructor.__init__(self)
            Resolver.__init__(self)

except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Loader(Reader, Scanner, Parser, _BoundedComposer, _CfnConstructor, Resolver):  # type: ignore[no-redef]
        def __init__(self, stream: bytes) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            _BoundedComposer.__init__(self)
            _CfnConstructor.__init__(self)
            Resolver.__init__(self)


def parse_template_text(data: bytes) -> Any:
    """Parse YAML or JSON text. Raises SourceError."""
    loader = _Loader(data)
    try:
        return loader.get_single_data()
    except SourceError:
        raise
    except yaml.YAMLError as exc:
        raise SourceError(_describe_yaml_error(exc)) from None
    except RecursionError:   # a safety net: the depth bound above keeps the composer far from it
        raise SourceError(f"nested more than {MAX_DEPTH} levels deep") from None
    finally:
        loader.dispose()


def read_template_file(path: Path) -> Any:
    """Read and parse ``path``. Raises TemplateError naming the file and, when known, where in it."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_TEMPLATE_BYTES + 1)
    except FileNotFoundError:
        raise TemplateError(path, "template file not found") from None
    except OSError as exc:
        raise TemplateError(path, f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateError(path, f"the template is larger than {MAX_TEMPLATE_BYTES:,} bytes, CloudFormation's "
                            "limit for a template")
    try:
        return parse_template_text(data)
    except SourceError as exc:
        resource, prop = split_location(exc.keys)
        raise TemplateError(path, str(exc), resource, prop) from None


def _describe_yaml_error(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"not valid YAML{where}: {problem}" + (f" ({context})" if context else "")
