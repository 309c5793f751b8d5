"""Validate request bodies against Discord's own OpenAPI 3.1 spec, and word errors as Discord does.

The emulator must be as strict as Discord: a body Discord would refuse with 400 / 50035 "Invalid
Form Body" is refused here too, with the same nested ``errors`` shape, so a test fails wherever
production would. The spec (``../shared/discord-api-spec/openapi.json`` beside the checkout) is
optional: without it ``SpecValidator.load()`` returns ``None`` and callers skip validation.

OpenAPI 3.1 schemas are JSON Schema 2020-12. The document is loaded and adjusted once per process
(``_adjust_spec`` lists every departure from the spec), and one ``jsonschema`` validator is
compiled lazily per operation. Requests get Discord's documented leniency: integer fields also
take numeric strings, snowflakes also take JSON integers.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from jsonschema.validators import extend
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_ENV = "PEER_CIRCLES_DISCORD_SPEC"

_REPO_ROOT = Path(__file__).resolve().parents[1]
_SPEC_IN_SHARED = Path("shared") / "discord-api-spec" / "openapi.json"
_SPEC_URI = "urn:peer-circles:discord-openapi"
_HTTP_METHODS = frozenset({"get", "put", "post", "patch", "delete", "head", "options"})
# Request bodies: the JSON form first; multipart requests carry the same object in payload_json.
_BODY_CONTENT_TYPES = ("application/json", "multipart/form-data", "application/x-www-form-urlencoded")
_API_PREFIX = re.compile(r"^/api/v\d+(?=/)")
_NUMERIC_STRING = re.compile(r"-?[0-9]+")
_MAX_SNOWFLAKE = 2**64 - 1
_MESSAGE_CONTENT_MAX = 2000
_CHOICE_VALUE_MAX = 100


def default_spec_path() -> Path | None:
    """The spec file: ``$PEER_CIRCLES_DISCORD_SPEC``, else ``shared/`` beside the repo or above it."""
    override = os.environ.get(SPEC_ENV)
    if override:
        path = Path(override)
        return path if path.is_file() else None
    # parents[0] / shared is "<repo root>/../shared"; further up covers nested worktrees.
    for parent in _REPO_ROOT.parents:
        candidate = parent / _SPEC_IN_SHARED
        if candidate.is_file():
            return candidate
    return None


@dataclass(frozen=True)
class SpecIssue:
    """One reason Discord would refuse a body: where (JSON path), Discord's error code, and why."""

    path: tuple[str | int, ...]
    code: str
    message: str


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    operation_id: str
    # JSON pointer (inside the spec) of the request body's schema; None when there is no body.
    body_pointer: str | None


def invalid_form_body(issues: list[SpecIssue]) -> dict[str, Any]:
    """Discord's 400 answer: ``{"code": 50035, "message": "Invalid Form Body", "errors": {...}}``.

    ``errors`` nests by path (array indices as strings, as Discord writes them) down to
    ``{"_errors": [{"code": ..., "message": ...}]}``.
    """
    errors: dict[str, Any] = {}
    for issue in issues:
        node = errors
        for key in issue.path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": issue.code, "message": issue.message})
    return {"code": 50035, "message": "Invalid Form Body", "errors": errors}


class _RouteNode:
    __slots__ = ("literals", "operations", "param")

    def __init__(self) -> None:
        self.literals: dict[str, _RouteNode] = {}
        self.param: _RouteNode | None = None
        self.operations: dict[str, Operation] = {}


class SpecValidator:
    """Discord's request schemas, compiled lazily per operation; one instance per spec file."""

    def __init__(self, spec: dict[str, Any]) -> None:
        _adjust_spec(spec)
        self._spec = spec
        resource = Resource.from_contents(spec, default_specification=DRAFT202012)
        self._registry: Registry = Registry().with_resource(_SPEC_URI, resource)
        self._routes = _RouteNode()
        for template, item in spec.get("paths", {}).items():
            self._add_route(template, item)
        self._validators: dict[tuple[str, bool], Any] = {}
        self._lock = threading.Lock()

    # -- loading -----------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path | None = None) -> SpecValidator | None:
        """The validator for ``path`` (default: ``default_spec_path()``); None when there is no file.

        Cached per resolved path, so hundreds of tests parse the 1.2 MB document once.
        """
        if path is None:
            path = default_spec_path()
        if path is None or not path.is_file():
            return None
        key = str(path.resolve())
        with _CACHE_LOCK:
            cached = _CACHE.get(key)
            if cached is None:
                with path.open(encoding="utf-8") as handle:
                    cached = cls(json.load(handle))
                _CACHE[key] = cached
        return cached

    # -- routes ------------------------------------------------------------------------------

    def _add_route(self, template: str, item: dict[str, Any]) -> None:
        node = self._routes
        for segment in _segments(template):
            if segment.startswith("{") and segment.endswith("}"):
                node.param = node.param or _RouteNode()
                node = node.param
            else:
                node = node.literals.setdefault(segment, _RouteNode())
        escaped = template.replace("~", "~0").replace("/", "~1")
        for method, operation in item.items():
            if method not in _HTTP_METHODS or not isinstance(operation, dict):
                continue
            pointer = None
            content = operation.get("requestBody", {}).get("content", {})
            for content_type in _BODY_CONTENT_TYPES:
                if content_type in content and "schema" in content[content_type]:
                    escaped_type = content_type.replace("/", "~1")
                    pointer = f"/paths/{escaped}/{method}/requestBody/content/{escaped_type}/schema"
                    break
            node.operations[method.upper()] = Operation(
                method=method.upper(),
                template=template,
                operation_id=operation.get("operationId", ""),
                body_pointer=pointer,
            )

    def find_operation(self, method: str, path: str) -> Operation | None:
        """The spec operation for a concrete path such as ``/channels/123/messages``.

        Literal segments win over ``{param}`` ones (``/users/@me/channels`` is not
        ``/users/{user_id}/...``); a path that only matches through a parameter falls back to it.
        """
        path = _API_PREFIX.sub("", path.split("?", 1)[0])
        node = _match(self._routes, _segments(path))
        if node is None:
            return None
        return node.operations.get(method.upper())

    # -- validation --------------------------------------------------------------------------

    def validate_request(self, method: str, path: str, body: object) -> list[SpecIssue]:
        """Why Discord would refuse ``body`` on this route; [] when valid, bodiless or unknown.

        ``body`` is the parsed JSON (for multipart requests, the parsed ``payload_json`` part).
        ``None`` means no body was sent and is not validated.
        """
        operation = self.find_operation(method, path)
        if operation is None or operation.body_pointer is None or body is None:
            return []
        return self._issues(self._validator(operation.body_pointer, lenient=True), body)

    def validate_schema(self, schema_name: str, obj: object) -> list[SpecIssue]:
        """Check an object Discord would send (e.g. ``MessageResponse``) against its schema.

        Strict, unlike requests: Discord itself writes snowflakes as strings and integers as
        numbers, so the emulator's payloads must too. Raises KeyError for an unknown name.
        """
        if schema_name not in self._spec.get("components", {}).get("schemas", {}):
            raise KeyError(f"no schema named {schema_name!r} in the Discord spec")
        return self._issues(self._validator(f"/components/schemas/{schema_name}", lenient=False), obj)

    def _validator(self, pointer: str, *, lenient: bool) -> Any:
        key = (pointer, lenient)
        validator = self._validators.get(key)
        if validator is None:
            with self._lock:
                validator = self._validators.get(key)
                if validator is None:
                    cls = _LenientValidator if lenient else _StrictValidator
                    validator = cls({"$ref": f"{_SPEC_URI}#{pointer}"}, registry=self._registry)
                    self._validators[key] = validator
        return validator

    def _issues(self, validator: Any, instance: object) -> list[SpecIssue]:
        # One error per field, as Discord reports (an enum and its allOf'd base enum both fail).
        issues: dict[tuple[str | int, ...], SpecIssue] = {}
        for error in validator.iter_errors(instance):
            for leaf in _leaf_errors(error):
                for issue in _describe(leaf):
                    issues.setdefault(issue.path, issue)
        return list(issues.values())


_CACHE: dict[str, SpecValidator] = {}
_CACHE_LOCK = threading.Lock()


def _segments(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment]


def _match(node: _RouteNode, segments: list[str]) -> _RouteNode | None:
    if not segments:
        return node if node.operations else None
    head, rest = segments[0], segments[1:]
    literal = node.literals.get(head)
    if literal is not None:
        found = _match(literal, rest)
        if found is not None:
            return found
    if node.param is not None:
        return _match(node.param, rest)
    return None


# -- the adjusted spec -----------------------------------------------------------------------


def _adjust_spec(spec: dict[str, Any]) -> None:
    """Prepare the document once: faster equivalent forms, then the departures from the spec.

    Departures are narrow, each where the preview spec disagrees with Discord's documentation or
    with what Discord accepts from stock discord.py; each says which schema and field it touches.
    """
    schemas = spec.get("components", {}).get("schemas", {})
    _simplify_unions(spec, schemas)
    _inline_references(spec, schemas)  # last: it makes the document cyclic
    # MessageCreateRequest / MessageEditRequestPartial / BaseCreateMessageCreateRequest (forum
    # posts) .content: the spec allows 4,000 characters (a Nitro user's client); Discord documents
    # 2,000 for message content, and a bot has no Nitro. Tightened, not relaxed.
    for name in ("MessageCreateRequest", "MessageEditRequestPartial", "BaseCreateMessageCreateRequest"):
        content = schemas.get(name, {}).get("properties", {}).get("content")
        if content is not None and content.get("maxLength", 0) > _MESSAGE_CONTENT_MAX:
            content["maxLength"] = _MESSAGE_CONTENT_MAX
    # ApplicationCommandOptionStringChoice.value: the spec allows 6,000 characters (a typed option's
    # limit); Discord documents 100 for a string choice's value, in command choices and autocomplete
    # answers alike. Tightened, not relaxed.
    string_choice = schemas.get("ApplicationCommandOptionStringChoice", {}).get("properties", {}).get("value")
    if string_choice is not None and string_choice.get("maxLength", 0) > _CHOICE_VALUE_MAX:
        string_choice["maxLength"] = _CHOICE_VALUE_MAX
    # ChannelTypes lacks GUILD_MEDIA (16), which Discord documents; discord.py 2.7 lists it in
    # channel_types of every GuildChannel or ForumChannel command option, so without it
    # bulk_set_application_commands would refuse an ordinary command tree.
    channel_types = schemas.get("ChannelTypes", {}).get("enum")
    if channel_types is not None and 16 not in channel_types:
        channel_types.append(16)


_ANNOTATIONS = frozenset({"title", "description"})
# Our keyword for a union told apart by its "type" field: {"anyOf": [...], "by_type": {value: i}}.
_UNION = "x-peer-circles-union"
_UNION_KEYWORDS = frozenset({"anyOf", "oneOf", _UNION})


def _simplify_unions(spec: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Rewrite unions into forms that mean the same for Discord's bodies but validate fast.

    - oneOf -> anyOf. Discord's unions are told apart by a ``type`` field, so at most one branch
      fits a real body; but once integers may be numeric strings, unions such as
      MessageCreateRequest.nonce (int64 or string) would fit twice and oneOf would fail. The spec
      already writes its largest union (interaction callbacks) as anyOf, x-discord-union: oneOf.
    - A union of bare constants (how the spec writes enums) -> one ``enum``.
    - A union whose branches are objects with disjoint ``type`` values -> ``_UNION``, which
      checks only the branch the body's ``type`` names. Plain anyOf checks every branch in full
      (a modal against every message-component shape, recursively): milliseconds per body.
    """
    stack: list[object] = [spec]
    while stack:
        current = stack.pop()
        if isinstance(current, list):
            stack.extend(current)
            continue
        if not isinstance(current, dict):
            continue
        if "oneOf" in current and "anyOf" not in current:
            current["anyOf"] = current.pop("oneOf")
        branches = current.get("anyOf")
        if isinstance(branches, list) and branches and "enum" not in current:
            if all(isinstance(b, dict) and "const" in b and set(b) - {"const"} <= _ANNOTATIONS for b in branches):
                current["enum"] = [branch["const"] for branch in current.pop("anyOf")]
            else:
                by_type = _branches_by_type(branches, schemas)
                if by_type is not None:
                    current[_UNION] = {"anyOf": current.pop("anyOf"), "by_type": by_type}
        # Walk the union's branches, not the union itself (it would be rewritten again).
        stack.extend(value["anyOf"] if key == _UNION else value for key, value in current.items())


def _branches_by_type(branches: list[Any], schemas: dict[str, Any]) -> dict[Any, int] | None:
    """Map each ``type`` value to its branch, or None unless every branch has its own values."""
    by_type: dict[Any, int] = {}
    for index, branch in enumerate(branches):
        if not isinstance(branch, dict):
            return None
        ref = branch.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            branch = schemas.get(ref.rsplit("/", 1)[1], {})
        tag = branch.get("properties", {}).get("type")
        if not isinstance(tag, dict):
            return None
        values = tag["enum"] if "enum" in tag else [tag["const"]] if "const" in tag else None
        if not values or any(not isinstance(v, int | str) or isinstance(v, bool) for v in values):
            return None
        for value in values:
            if value in by_type:
                return None
            by_type[value] = index
    return by_type


def _union_keyword(lenient: bool) -> Any:
    def check(validator: Any, union: dict[str, Any], instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
        branches = union["anyOf"]
        if isinstance(instance, dict):
            tag = instance.get("type")
            if lenient and _is_numeric_string(tag):
                tag = int(str(tag))
            index = union["by_type"].get(tag) if isinstance(tag, int | str) and not isinstance(tag, bool) else None
            if index is not None:
                yield from validator.descend(instance, branches[index], schema_path=index)
                return
        # No branch named: plain anyOf, whose error lists every branch's complaint.
        yield from Draft202012Validator.VALIDATORS["anyOf"](validator, branches, instance, schema)

    return check


def _inline_references(spec: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Replace ``{"$ref": "#/components/schemas/X"}`` by X itself, and drop checks that repeat others.

    Same meaning, fewer steps per body: each reference costs a lookup and a nested validator.
    Recursive schemas become cyclic objects, which validation (driven by the finite body) walks
    happily. Also, where a field's ``enum`` is already narrower than an ``allOf`` of a plain
    enumeration (``"type": {"enum": [2], "allOf": [MessageComponentTypes]}``), the allOf goes;
    and ``null`` is tried last in nullable unions, as bodies mostly carry a value.
    """
    prefix = "#/components/schemas/"

    def target(node: Any) -> Any:
        if isinstance(node, dict) and len(node) == 1 and str(node.get("$ref", "")).startswith(prefix):
            return schemas.get(node["$ref"][len(prefix) :], node)
        return node

    seen: set[int] = set()
    stack: list[Any] = [spec]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, dict):
            for key, value in current.items():
                current[key] = target(value)
                stack.append(current[key])
            _drop_restated_enum(current, target)
            branches = current.get("anyOf")
            if isinstance(branches, list) and {"type": "null"} in branches:
                branches.sort(key=lambda branch: branch == {"type": "null"})
        elif isinstance(current, list):
            for index, value in enumerate(current):
                current[index] = target(value)
                stack.append(current[index])


def _drop_restated_enum(schema: dict[str, Any], target: Any) -> None:
    enum, all_of = schema.get("enum"), schema.get("allOf")
    if not isinstance(enum, list) or not isinstance(all_of, list) or len(all_of) != 1:
        return
    base = target(all_of[0])
    if (
        isinstance(base, dict)
        and set(base) - {"type", "format", "enum", "title", "description"} == set()
        and isinstance(base.get("enum"), list)
        and all(value in base["enum"] for value in enum)
        and base.get("type", schema.get("type")) == schema.get("type")
    ):
        del schema["allOf"]


# -- Discord's leniency on numbers in requests -------------------------------------------------


def _is_numeric_string(instance: object) -> bool:
    return isinstance(instance, str) and _NUMERIC_STRING.fullmatch(instance) is not None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _declares_integer(schema: dict[str, Any]) -> bool:
    declared = schema.get("type", "integer")
    return declared == "integer" or (isinstance(declared, list) and "integer" in declared)


_STRICT = Draft202012Validator.VALIDATORS


def _type(validator: Any, types: Any, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    # Snowflakes are strings in the spec; Discord also takes them as JSON integers (discord.py
    # sends recipient_id, a scheduled event's channel_id, parent_id, overwrite ids that way).
    if schema.get("format") == "snowflake" and _is_int(instance):
        if not 0 <= instance <= _MAX_SNOWFLAKE:
            yield ValidationError(f"{instance} is not a snowflake")
        return
    yield from _STRICT["type"](validator, types, instance, schema)


def _enum(validator: Any, enums: Any, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    # "5" is accepted where the allowed value is the integer 5.
    if _is_numeric_string(instance) and instance not in enums and any(map(_is_int, enums)):
        instance = int(instance)
    yield from _STRICT["enum"](validator, enums, instance, schema)


def _const(validator: Any, const: Any, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    if _is_numeric_string(instance) and _is_int(const):
        instance = int(instance)
    yield from _STRICT["const"](validator, const, instance, schema)


def _bound(keyword: str) -> Any:
    """``minimum`` and friends, checking "5" as 5 in integer fields (they skip strings otherwise)."""

    def check(validator: Any, bound: Any, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
        if _is_numeric_string(instance) and _declares_integer(schema):
            instance = int(instance)
        yield from _STRICT[keyword](validator, bound, instance, schema)

    return check


def _is_integer(checker: Any, instance: object) -> bool:
    # Discord accepts integer fields as numeric strings ("5" for 5).
    return _is_numeric_string(instance) or Draft202012Validator.TYPE_CHECKER.is_type(instance, "integer")


# Requests: Discord's documented leniency (integers as numeric strings, snowflakes as integers).
_LenientValidator = extend(
    Draft202012Validator,
    validators={
        _UNION: _union_keyword(lenient=True),
        "type": _type,
        "enum": _enum,
        "const": _const,
        **{name: _bound(name) for name in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")},
    },
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
)
# What Discord sends: exactly the spec's types.
_StrictValidator = extend(Draft202012Validator, validators={_UNION: _union_keyword(lenient=False)})


# -- errors, worded as Discord does ----------------------------------------------------------


def _leaf_errors(error: ValidationError) -> list[ValidationError]:
    """Replace a failed union by the errors of the branch the body was meant for."""
    if error.validator not in _UNION_KEYWORDS or not error.context:
        return [error]
    branch = _intended_branch(error)
    if branch is None:
        return [error]
    leaves: list[ValidationError] = []
    for inner in branch:
        leaves.extend(_leaf_errors(inner))
    return leaves


def _intended_branch(error: ValidationError) -> list[ValidationError] | None:
    """The errors of the union branch that fits the body's JSON type and its ``type`` field."""
    if all(not inner.path and inner.validator in ("enum", "const") for inner in error.context or ()):
        return None  # an enumeration written as a union of constants: report its choices
    branches: dict[int, list[ValidationError]] = {}
    for inner in error.context or ():
        index = inner.relative_schema_path[0] if inner.relative_schema_path else -1
        if isinstance(index, int):
            branches.setdefault(index, []).append(inner)
    candidates = [errors for errors in branches.values() if not any(map(_rules_out_branch, errors))]
    if not candidates:
        return None
    # Fewest errors first, then the deepest, as jsonschema's best_match would.
    return min(candidates, key=lambda errors: (len(errors), -max(len(e.path) for e in errors)))


def _rules_out_branch(error: ValidationError) -> bool:
    """A wrong JSON type for the whole branch, or a mismatched ``type`` discriminator."""
    if not error.path:
        return error.validator == "type" or (
            error.validator == "required" and "type" in error.validator_value and _lacks_type(error)
        )
    return tuple(error.path) == ("type",) and error.validator in ("enum", "const", "type")


def _lacks_type(error: ValidationError) -> bool:
    return isinstance(error.instance, dict) and "type" not in error.instance


def _describe(error: ValidationError) -> Iterable[SpecIssue]:
    path = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    keyword = error.validator
    instance = error.instance
    if schema.get("format") == "snowflake" and keyword in ("type", "pattern", "minimum", "maximum"):
        yield SpecIssue(path, "NUMBER_TYPE_COERCE", "Value is not snowflake.")
        return
    if keyword == "required":
        present = instance if isinstance(instance, dict) else {}
        for name in error.validator_value:
            if name not in present:
                yield SpecIssue((*path, name), "BASE_TYPE_REQUIRED", "This field is required")
        return
    if keyword in ("minLength", "maxLength", "minItems", "maxItems"):
        unit = "Length" if keyword.endswith("Length") else "Items"
        yield _length_issue(path, schema.get(f"min{unit}", 0), schema.get(f"max{unit}"), keyword)
        return
    if keyword in ("minProperties", "maxProperties"):
        yield _length_issue(path, schema.get("minProperties", 0), schema.get("maxProperties"), keyword)
        return
    if keyword in ("enum", "const"):
        choices = error.validator_value if keyword == "enum" else [error.validator_value]
        yield SpecIssue(path, "BASE_TYPE_CHOICES", f"Value must be one of ({_listed(choices)}).")
        return
    if keyword in ("minimum", "exclusiveMinimum"):
        yield SpecIssue(
            path, "NUMBER_TYPE_MIN", f"int value should be greater than or equal to {error.validator_value}."
        )
        return
    if keyword in ("maximum", "exclusiveMaximum"):
        yield SpecIssue(path, "NUMBER_TYPE_MAX", f"int value should be less than or equal to {error.validator_value}.")
        return
    if keyword == "type":
        yield _type_issue(path, error.validator_value)
        return
    if keyword == "pattern":
        yield SpecIssue(path, "STRING_TYPE_REGEX", "String value did not match validation regex.")
        return
    if keyword == "uniqueItems":
        yield SpecIssue(path, "BASE_TYPE_UNIQUE", "Items must be unique.")
        return
    if keyword in _UNION_KEYWORDS:
        yield _union_issue(path, error)
        return
    if keyword == "additionalProperties":
        yield SpecIssue(path, "BASE_TYPE_UNKNOWN_FIELD", "Unknown field.")
        return
    yield SpecIssue(path, "BASE_TYPE_INVALID", f"Invalid value ({keyword}).")


def _length_issue(path: tuple[str | int, ...], low: int, high: int | None, keyword: str) -> SpecIssue:
    if high is not None and low > 0:
        return SpecIssue(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")
    if keyword.startswith("max") and high is not None:
        return SpecIssue(path, "BASE_TYPE_MAX_LENGTH", f"Must be {high} or fewer in length.")
    return SpecIssue(path, "BASE_TYPE_MIN_LENGTH", f"Must be {low} or more in length.")


def _type_issue(path: tuple[str | int, ...], expected: Any) -> SpecIssue:
    types = [expected] if isinstance(expected, str) else list(expected)
    if "integer" in types:
        return SpecIssue(path, "NUMBER_TYPE_COERCE", "Value is not int.")
    if "number" in types:
        return SpecIssue(path, "NUMBER_TYPE_COERCE", "Value is not a number.")
    if "string" in types:
        return SpecIssue(path, "STRING_TYPE_CONVERT", "Could not interpret value as string.")
    if "boolean" in types:
        return SpecIssue(path, "BOOLEAN_TYPE_CONVERT", "Could not interpret value as boolean.")
    if "array" in types:
        return SpecIssue(path, "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
    if "object" in types:
        return SpecIssue(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
    return SpecIssue(path, "BASE_TYPE_INVALID", f"Must be {' or '.join(types)}.")


def _union_issue(path: tuple[str | int, ...], error: ValidationError) -> SpecIssue:
    """No branch fits: name the accepted ``type`` values, as Discord's UNION_TYPE_CHOICES does."""
    choices: list[Any] = []
    type_required = False
    constants = [inner for inner in error.context or () if not inner.path and inner.validator in ("enum", "const")]
    if constants and len(constants) == len(error.context or ()):
        values = [
            value
            for inner in constants
            for value in (inner.validator_value if inner.validator == "enum" else [inner.validator_value])
        ]
        return SpecIssue(path, "BASE_TYPE_CHOICES", f"Value must be one of ({_listed(values)}).")
    for inner in error.context or ():
        if tuple(inner.path) == ("type",) and inner.validator in ("enum", "const"):
            values = inner.validator_value if inner.validator == "enum" else [inner.validator_value]
            choices.extend(value for value in values if value not in choices)
        elif not inner.path and inner.validator == "required" and "type" in inner.validator_value:
            type_required = type_required or _lacks_type(inner)
    if type_required:
        return SpecIssue((*path, "type"), "BASE_TYPE_REQUIRED", "This field is required")
    if choices:
        return SpecIssue(path, "UNION_TYPE_CHOICES", f'Value of field "type" must be one of ({_listed(choices)}).')
    return SpecIssue(path, "BASE_TYPE_INVALID", "Value does not match any accepted shape.")


def _listed(values: Iterable[Any]) -> str:
    unique: list[Any] = []
    for value in values:
        if value not in unique:
            unique.append(value)
    ordered = sorted(unique, key=lambda value: (type(value).__name__, value))
    return ", ".join(repr(value) for value in ordered)
