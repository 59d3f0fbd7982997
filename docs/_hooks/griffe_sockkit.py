"""Griffe extensions for sockkit's API reference (loaded by mkdocs.yml).

* ``GoogleExampleSection``: Google style allows both ``Example:`` and
  ``Examples:`` as the heading of the examples section; griffe only knows
  ``Examples:`` and would render ``Example:`` as an admonition whose ``>>>`` lines
  are plain text. The heading is rewritten before the docstring is parsed.
* ``AttrsInit``: griffe recreates ``__init__`` for dataclasses but not for
  ``attrs`` classes, so their signatures would be empty and the ``Args:`` of their
  docstrings "unknown". This builds the ``__init__`` attrs generates: one
  parameter per annotated field, in order, without ``init=False`` fields, with
  the leading underscore of private fields dropped, as attrs does.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLE_HEADING = re.compile(r"^(?P<indent>[ \t]*)Example:[ \t]*$", re.MULTILINE)


class GoogleExampleSection(griffe.Extension):
    """Treat a Google-style ``Example:`` section as ``Examples:``."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        docstring = obj.docstring
        if docstring is not None and "Example:" in docstring.value:
            docstring.value = _EXAMPLE_HEADING.sub(r"\g<indent>Examples:", docstring.value)


_ATTRS_DECORATORS = {
    "attrs.define",
    "attrs.frozen",
    "attrs.mutable",
    "attr.s",
    "attr.attrs",
    "attr.define",
    "attr.frozen",
    "attr.mutable",
}
_ATTRS_FIELDS = {"attrs.field", "attr.ib", "attr.attrib", "attr.field"}


def _decorator_path(decorator: griffe.Decorator) -> str:
    value = decorator.value
    if isinstance(value, griffe.ExprCall):
        value = value.function
    return value.canonical_path if isinstance(value, griffe.Expr) else str(value)


def _is_attrs_class(cls: griffe.Class) -> bool:
    return any(_decorator_path(d) in _ATTRS_DECORATORS for d in cls.decorators)


def _keywords(call: griffe.ExprCall) -> dict[str, Any]:
    return {
        argument.name: argument.value
        for argument in call.arguments
        if isinstance(argument, griffe.ExprKeyword)
    }


def _parameters(cls: griffe.Class) -> list[griffe.Parameter]:
    parameters = []
    for member in cls.members.values():
        if member.is_alias or not member.is_attribute or member.annotation is None:
            continue
        if "class-attribute" in member.labels and "instance-attribute" not in member.labels:
            continue  # a ClassVar
        if "property" in member.labels:
            continue  # computed, not an __init__ argument
        value = member.value
        default: Any = value
        if isinstance(value, griffe.ExprCall) and value.function.canonical_path in _ATTRS_FIELDS:
            options = _keywords(value)
            if str(options.get("init", "True")) == "False":
                continue
            if "factory" in options:
                default = griffe.ExprCall(function=options["factory"], arguments=[])
            else:
                default = options.get("default")
        parameters.append(
            griffe.Parameter(
                member.name.lstrip("_"),
                annotation=member.annotation,
                kind=griffe.ParameterKind.positional_or_keyword,
                default=default,
                docstring=member.docstring,
            )
        )
    return parameters


def _apply(obj: griffe.Module | griffe.Class, seen: set[str]) -> None:
    if obj.path in seen:
        return
    seen.add(obj.path)
    if isinstance(obj, griffe.Class) and "__init__" not in obj.members and _is_attrs_class(obj):
        init = griffe.Function(
            "__init__",
            lineno=0,
            endlineno=0,
            parent=obj,
            parameters=griffe.Parameters(
                griffe.Parameter("self", kind=griffe.ParameterKind.positional_or_keyword),
                *_parameters(obj),
            ),
            returns="None",
        )
        obj.set_member("__init__", init)
    for member in list(obj.members.values()):
        if not member.is_alias and (member.is_module or member.is_class):
            _apply(member, seen)  # type: ignore[arg-type]


class AttrsInit(griffe.Extension):
    """Give ``attrs`` classes the ``__init__`` that attrs generates."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        _apply(pkg, set())
