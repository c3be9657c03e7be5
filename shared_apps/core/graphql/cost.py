"""The cost budget of a GraphQL operation, checked on the parsed document before any other
validation and before anything runs.

A query's text is cheap to send and can be expensive to answer: 511 aliases of `calendar`
fit in 20 KB and took 23 s. So each operation gets a static estimate, from the document
alone, and is refused when any of these goes over its limit:

- fields: field selections after fragments are expanded (fragments can't multiply work);
- aliases: aliased fields (the usual way to ask for one expensive field many times);
- repeats: a field asked for again under the same name in the same place (graphql-core's
  OverlappingFieldsCanBeMerged compares every such pair: 250 copies took over a second);
- cost: every field that resolves an object or a list costs 1, scalars cost 0, named
  expensive fields cost their weight (`FIELD_COSTS` in config/graphql.py); a field with a
  page size (`first`) multiplies everything under it by that size (its default when left
  out, the largest page when given as a variable).

The walk stops as soon as a limit is passed, so the check itself is bounded however the
document is shaped. docs/security.md ("API hardening") lists the limits."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass

from graphql import GraphQLError, GraphQLNamedType, get_named_type, is_leaf_type
from graphql.language import (
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql.pyutils import Undefined
from graphql.validation import ValidationContext, ValidationRule


@dataclass(frozen=True)
class Budget:
    max_cost: int
    max_fields: int
    max_aliases: int
    max_repeats: int
    largest_page: int  # what `first: $variable` is counted as
    field_costs: Mapping[tuple[str, str], int]  # (type name, field name) -> weight


@dataclass
class Tally:
    cost: int = 0
    fields: int = 0
    aliases: int = 0
    repeats: int = 0


class _OverBudget(Exception):  # noqa: N818  (control flow inside the walk, never raised out)
    pass


def cost_rule(budget: Budget) -> type[ValidationRule]:
    class QueryCost(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_args):
            root = self.context.schema.get_root_type(node.operation)
            walk = _Walk(self.context, budget)
            with contextlib.suppress(_OverBudget):  # the tally says which limit was passed
                walk.selections(node.selection_set, root, 1, (), ())
            for error in walk.errors():
                self.report_error(GraphQLError(error[1], node, extensions={"code": error[0]}))

    return QueryCost


class _Walk:
    def __init__(self, context: ValidationContext, budget: Budget):
        self.context = context
        self.budget = budget
        self.tally = Tally()
        self.seen: set[tuple[tuple[str, ...], str]] = set()

    def errors(self) -> list[tuple[str, str]]:
        budget, tally, found = self.budget, self.tally, []
        if tally.fields > budget.max_fields:
            found.append(
                (
                    "too_many_fields",
                    f"The query selects more than {budget.max_fields} fields (fragments "
                    "counted where they are used). Split it into smaller queries.",
                )
            )
        if tally.aliases > budget.max_aliases:
            found.append(
                (
                    "too_many_aliases",
                    f"The query uses more than {budget.max_aliases} aliases. Ask for each "
                    "thing once, or send several smaller queries.",
                )
            )
        if tally.repeats > budget.max_repeats:
            found.append(
                (
                    "too_many_repeated_fields",
                    f"The query asks for the same field more than {budget.max_repeats} times "
                    "over in the same place. Ask for each field once.",
                )
            )
        if tally.cost > budget.max_cost:
            weighted = ", ".join(
                f"{field} {weight}" for (_type, field), weight in sorted(budget.field_costs.items())
            )
            found.append(
                (
                    "query_too_complex",
                    f"The query's estimated cost is over the limit of {budget.max_cost}: each "
                    f"object or list costs 1 ({weighted}), times the page sizes above it. "
                    "Ask for smaller pages, fewer fields or fewer aliases.",
                )
            )
        return found

    def selections(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType | None,
        multiplier: int,
        fragments: tuple[str, ...],
        path: tuple[str, ...],
    ) -> None:
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                self.field(node, parent, multiplier, fragments, path)
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition
                parent_type = (
                    self.context.schema.get_type(condition.name.value) if condition else parent
                )
                self.selections(node.selection_set, parent_type, multiplier, fragments, path)
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                fragment = self.context.get_fragment(name)
                if fragment is None or name in fragments:  # unknown or cyclic: other rules say so
                    continue
                parent_type = self.context.schema.get_type(fragment.type_condition.name.value)
                self.selections(
                    fragment.selection_set, parent_type, multiplier, (*fragments, name), path
                )

    def field(
        self,
        node: FieldNode,
        parent: GraphQLNamedType | None,
        multiplier: int,
        fragments: tuple[str, ...],
        path: tuple[str, ...],
    ) -> None:
        tally, budget = self.tally, self.budget
        tally.fields += 1
        tally.aliases += node.alias is not None
        name = node.name.value
        response_name = node.alias.value if node.alias else name
        if (path, response_name) in self.seen:
            tally.repeats += 1
            if tally.repeats > budget.max_repeats:
                raise _OverBudget
        self.seen.add((path, response_name))
        definition = getattr(parent, "fields", {}).get(name) if parent is not None else None
        if definition is None:  # __typename, or a field other rules will report as unknown
            return
        result_type = get_named_type(definition.type)
        default = 0 if is_leaf_type(result_type) else 1
        tally.cost += multiplier * budget.field_costs.get((parent.name, name), default)
        if (
            tally.fields > budget.max_fields
            or tally.aliases > budget.max_aliases
            or tally.cost > budget.max_cost
        ):
            raise _OverBudget
        if node.selection_set is not None:
            size = self.page_size(node, definition)
            self.selections(
                node.selection_set,
                result_type,
                multiplier * size,
                fragments,
                (*path, response_name),
            )

    def page_size(self, node: FieldNode, definition) -> int:
        """How many items the field may return: its `first` argument, else 1."""
        argument = definition.args.get("first")
        if argument is None:
            return 1
        for given in node.arguments or ():
            if given.name.value == "first":
                if isinstance(given.value, IntValueNode):  # PageSize refuses it when too big
                    return min(max(1, int(given.value.value)), self.budget.largest_page)
                return self.budget.largest_page  # a variable (or a bad literal, refused later)
        if argument.default_value is not Undefined and isinstance(argument.default_value, int):
            return argument.default_value
        return self.budget.largest_page
