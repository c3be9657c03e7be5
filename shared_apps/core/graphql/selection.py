"""What a query asks for below a field, so a list resolver can prefetch exactly that in a
fixed number of queries (instead of one query per item: no N+1)."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLResolveInfo, get_named_type
from graphql.execution.values import get_argument_values
from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode


def _fields(
    selection_set: SelectionSetNode | None, info: GraphQLResolveInfo
) -> Iterator[FieldNode]:
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, info)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = info.fragments.get(selection.name.value)
            if fragment is not None:
                yield from _fields(fragment.selection_set, info)


def selected(info: GraphQLResolveInfo, *path: str) -> list[tuple[FieldNode, dict]]:
    """Every occurrence of the field at `path` (GraphQL names) below the current field,
    aliases included, each with its coerced arguments."""
    nodes = list(info.field_nodes)
    parent = get_named_type(info.return_type)
    for depth, name in enumerate(path):
        nodes = [
            child
            for node in nodes
            for child in _fields(node.selection_set, info)
            if child.name.value == name
        ]
        if not nodes:
            return []
        definition = parent.fields[name]
        if depth == len(path) - 1:
            return [
                (node, get_argument_values(definition, node, info.variable_values))
                for node in nodes
            ]
        parent = get_named_type(definition.type)
    return []
