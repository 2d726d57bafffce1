"""Read `terraform show -json PLANFILE` into the little the guardrails need.

Pure. A plan's JSON repeats every resource up to four times (resource
changes before and after, planned values, prior state), so it is read one
top-level member and one resource change at a time (msgspec splits the
text, jiter decodes each part): each change is summarised (address, type,
actions, the attributes that change) and its values dropped at once, and
the planned values and the prior state's resources are never built.
Memory stays near the size of the text itself.

Anything that is not a readable plan (corrupt, truncated, a key given twice,
a state file, an unknown format version) raises PlanError: bad input, never
"allowed". Values Terraform marks sensitive never leave this module: every
shown value that contains one, however short, reads "(sensitive)", and they
are collected for the redactor.
"""

from __future__ import annotations

import gc
import json
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jiter
import msgspec

from responder.errors import InputError

SUPPORTED_FORMAT_MAJOR = "1"
SENSITIVE = "(sensitive)"
UNKNOWN = "(known after apply)"
ATTRIBUTES_PER_CHANGE = 12  # attributes listed per resource change
VALUE_CHARS = 80  # characters of a value shown
# A sensitive value hides every shown value that contains it, whatever its length; one shorter than
# this hides ordinary numbers and words too, and the verdict says so.
SHORT_SENSITIVE_CHARS = 8
_SEARCHED_ONE_BY_ONE = 32  # sensitive values of one length searched for one by one, not window by window
# What an `actions` list means. Anything else is "unknown", and the guardrails refuse unknown.
ACTIONS = {
    ("no-op",): "no-op",
    ("create",): "create",
    ("read",): "read",
    ("update",): "update",
    ("delete",): "delete",
    ("delete", "create"): "replace",
    ("create", "delete"): "replace",
    ("forget",): "forget",
}
# Top-level members read in full; the rest are skipped without keeping anything.
_KEPT = {"format_version", "terraform_version", "variables", "output_changes", "configuration", "timestamp",
         "applyable", "complete", "errored"}
# What a resource installs, for the types whose type alone does not say: a Helm release by its chart,
# a Kubernetes manifest by its kind. The guardrails refuse one whose value is only known after apply.
_IDENTITY = {"helm_release": ("chart",), "kubernetes_manifest": ("manifest", "kind")}
# A resource address, step by step: module.db["a.b"].helm_release.this[0] -> module, db, helm_release, this.
_ADDRESS_STEP = re.compile(r'([^.\[]+)(?:\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\])?')


class PlanError(InputError):
    """The plan JSON cannot be read as a Terraform plan: bad input, never allowed."""


# A plan has tens of thousands of these: as msgspec Structs (frozen, not tracked by the cyclic collector)
# they are built seven times as fast as frozen dataclasses, which was a fifth of the guard's time.
class AttributeChange(msgspec.Struct, frozen=True, gc=False):
    path: str  # input.replicas
    before: str  # short JSON text, "(sensitive)" or "(known after apply)"
    after: str


class ResourceChange(msgspec.Struct, frozen=True, gc=False):
    address: str
    type: str
    mode: str
    actions: tuple[str, ...]
    action: str  # create | update | delete | replace | no-op | read | forget | unknown
    attributes: tuple[AttributeChange, ...] = ()
    replace_paths: tuple[str, ...] = ()
    charts: tuple[str, ...] = ()  # helm_release only: the chart before and after
    manifest_kinds: tuple[str, ...] = ()  # kubernetes_manifest only: manifest.kind before and after
    hidden: tuple[str, ...] = ()  # identifying attributes only known after apply: "chart", "manifest.kind"
    importing: bool = False  # an import block brings an existing object under Terraform
    previous_address: str | None = None  # a moved block: where it was in the state before
    previous_type: str | None = None  # the resource type at previous_address

    @property
    def moved(self) -> bool:
        return self.previous_address is not None

    @property
    def changes_something(self) -> bool:
        # An import or a move changes the state even when the object itself is left as it is.
        return self.action not in ("no-op", "read") or self.importing or self.moved

    @property
    def types(self) -> tuple[str, ...]:
        """Its type, and the type it had before a move when that differs."""
        return (self.type,) if self.previous_type in (None, self.type) else (self.type, str(self.previous_type))

    def shown(self) -> ShownChange:
        return ShownChange(self.address, self.type, self.action, self.actions, self.importing, self.previous_address,
                           self.attributes, self.replace_paths)


class ShownChange(msgspec.Struct, frozen=True, gc=False, omit_defaults=True):
    """A resource change as a verdict shows it, encoded by msgspec as it is (no dict built per change):
    what it is and what it changes. A member at its default is left out. How the reader judged what it
    installs (its chart or kind, and whether that is known) is not shown."""

    address: str
    type: str
    action: str
    actions: tuple[str, ...]
    importing: bool = False
    previous_address: str | None = None
    attributes: tuple[AttributeChange, ...] = ()  # encoded as {"path", "before", "after"}
    replace_paths: tuple[str, ...] = ()


class OutputChange(msgspec.Struct, frozen=True, gc=False):
    """An output the plan changes, encoded as {"name", "action", "sensitive"}: never its value."""

    name: str
    action: str
    sensitive: bool


@dataclass(frozen=True)
class PlanDocument:
    format_version: str
    terraform_version: str
    resources: tuple[ResourceChange, ...]  # every entry of resource_changes, no-ops included
    drift: tuple[ResourceChange, ...] = ()
    outputs: tuple[OutputChange, ...] = ()
    errored: bool = False
    complete: bool | None = None  # None: the plan does not say (terraform before 1.8, OpenTofu)
    applyable: bool | None = None
    deferred: tuple[ResourceChange, ...] = ()  # changes terraform put off to a later plan
    deferred_reasons: tuple[str, ...] = ()
    # Values Terraform marks sensitive, for the redactor; never rendered.
    sensitive_values: frozenset[str] = field(default_factory=frozenset, repr=False)
    # A sensitive value shorter than SHORT_SENSITIVE_CHARS masked some value that is not marked sensitive.
    masked_short_values: bool = False


def parse_plan(data: bytes | str) -> PlanDocument:
    """Read `terraform show -json PLAN` output; raises PlanError for anything that is not a readable plan."""
    if isinstance(data, str):
        try:
            data = data.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise PlanError(f"the plan is not UTF-8 text (corrupt?): {exc}") from None
    members = _members(data)  # views of the bytes, which stay until they go
    counted = not _written_compactly(data, members)  # else no member can be given twice: nothing to count
    reader = _Reader()
    with _collection_paused():
        read, colons_in_values = _read_members(members, reader, counted)
        if counted:
            _refuse_repeated_members(data, members, colons_in_values)
        del data, members  # every change is summarised: masking needs only the summaries
        return reader.document(read)


@contextmanager
def _collection_paused() -> Iterator[None]:
    # Millions of new containers make the cyclic collector rescan the heap over and over
    # (5 s instead of 0.7 s for a 50 MB plan); nothing read here can form a cycle.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_WITHOUT_ATTRIBUTES = frozenset(("no-op", "read", "delete", "forget"))


def _steps(actions: Any) -> tuple[str, ...] | None:
    """An `actions` list as a tuple (a key of ACTIONS, or one this reader does not know); None when it is
    not a list of actions at all."""
    if type(actions) is not list or not actions:
        return None
    steps = tuple(actions)
    try:
        if steps in ACTIONS:  # the common case, checked by one look-up
            return steps
    except TypeError:  # an object or a list among the actions
        return None
    return steps if all(isinstance(step, str) for step in steps) else None


class _Reader:
    """Summarises resource changes as they are read, collecting sensitive values on the way."""

    def __init__(self) -> None:
        self.secrets: set[str] = set()
        # Each change as read, its attributes' values whole (unmasked): they are masked (see _Masker) once
        # every sensitive value of the plan is known, before any leaves this module.
        self.resources: list[ResourceChange] = []
        self.drift: list[ResourceChange] = []
        self.deferred: list[ResourceChange] = []
        self.deferred_reasons: list[str] = []
        self.state_outputs: dict[str, Any] = {}

    def deferred_change(self, entry: Any, where: str) -> None:
        if not isinstance(entry, dict) or not isinstance(entry.get("resource_change"), dict):
            raise PlanError(f"{where} lacks its resource_change")
        reason = entry.get("reason")
        self.deferred_reasons.append(reason if isinstance(reason, str) and reason else "no reason given")
        self.resource(entry["resource_change"], f"{where}.resource_change", self.deferred)

    def resource(self, entry: Any, where: str, into: list[ResourceChange]) -> None:
        if not isinstance(entry, dict):
            raise PlanError(f"{where} is not an object")
        address, kind, change = entry.get("address"), entry.get("type"), entry.get("change")
        if not isinstance(address, str) or not isinstance(kind, str) or not isinstance(change, dict):
            raise PlanError(f"{where} lacks address, type or change")
        actions = _steps(change.get("actions"))
        if actions is None:
            raise PlanError(f"{where}.change.actions is not a list of actions")
        action = ACTIONS.get(actions, "unknown")
        before, after = change.get("before"), change.get("after")
        before_mask, after_mask = change.get("before_sensitive", False), change.get("after_sensitive", False)
        # Some providers copy a marked input into an unmarked attribute (terraform_data's output
        # does), so the marks alone are not enough: every value they hold is masked wherever it is.
        if before_mask:  # not False, {} or []: most resources mark nothing
            _collect_sensitive(before, before_mask, self.secrets)
        if after_mask:
            _collect_sensitive(after, after_mask, self.secrets)
        unknown = change.get("after_unknown", False)
        attributes: list[AttributeChange] = []
        # What a delete removes is the whole resource; its attributes say nothing more.
        # Values are kept whole until every sensitive value of the plan is known (see _Masker).
        if action not in _WITHOUT_ATTRIBUTES:
            _add_attribute_changes(before, after, before_mask, after_mask, unknown, "", attributes)
        paths = change.get("replace_paths")
        if paths is not None and not isinstance(paths, list):
            raise PlanError(f"{where}.change.replace_paths is not a list of paths")
        replace_paths = tuple(".".join(str(p) for p in path) if isinstance(path, list) else str(path)
                              for path in paths) if paths else ()
        identity, hidden = _identity(kind, before, after, unknown, action) if kind in _IDENTITY else ((), ())
        importing = change.get("importing")
        if importing is not None and not isinstance(importing, dict):
            raise PlanError(f"{where}.change.importing is not an object")
        previous = entry.get("previous_address")
        if previous is not None and not isinstance(previous, str):
            raise PlanError(f"{where}.previous_address is not an address")
        moved_from = previous if previous and previous != address else None
        into.append(ResourceChange(
            address, kind, str(entry.get("mode") or "managed"), actions, action, tuple(attributes),
            replace_paths, identity if kind == "helm_release" else (),
            identity if kind == "kubernetes_manifest" else (), hidden, importing is not None, moved_from,
            _address_type(moved_from) if moved_from else None))

    def document(self, members: Mapping[str, Any]) -> PlanDocument:
        version = members.get("format_version")
        if not isinstance(version, str) or not version:
            raise PlanError("the plan JSON has no format_version: is it `terraform show -json PLANFILE` output?")
        if version.split(".")[0] != SUPPORTED_FORMAT_MAJOR:
            raise PlanError(f"plan format_version {version} is not supported (this responder reads 1.x)")
        if "planned_values" not in members and "resource_changes" not in members:
            raise PlanError("the JSON is not a plan (no planned_values or resource_changes): a state file?")
        for key in ("errored", "complete", "applyable"):
            if key in members and not isinstance(members[key], bool):
                raise PlanError(f"the plan's {key} is not true or false")
        output_changes = members.get("output_changes") or {}
        if not isinstance(output_changes, dict):
            raise PlanError("the plan's output_changes is not an object")
        outputs = []
        for name, entry in output_changes.items():
            actions = _steps(entry.get("actions")) if isinstance(entry, dict) else None
            if actions is None:
                raise PlanError(f"output_changes.{name} lacks actions")
            _collect_sensitive(entry.get("before"), entry.get("before_sensitive", False), self.secrets)
            _collect_sensitive(entry.get("after"), entry.get("after_sensitive", False), self.secrets)
            sensitive = bool(entry.get("before_sensitive")) or bool(entry.get("after_sensitive"))
            outputs.append(OutputChange(name, ACTIONS.get(actions, "unknown"), sensitive))
        self._sensitive_variables(members)
        for entry in self.state_outputs.values():
            if isinstance(entry, dict) and entry.get("sensitive"):
                _collect_sensitive(entry.get("value"), True, self.secrets)
        masker = _Masker(self.secrets)
        resources, drift, deferred = (masker.resources(found) for found in (self.resources, self.drift, self.deferred))
        return PlanDocument(
            format_version=version,
            terraform_version=str(members.get("terraform_version") or "unknown"),
            resources=resources,
            drift=drift,
            outputs=tuple(outputs),
            errored=members.get("errored", False),
            complete=members.get("complete"),
            applyable=members.get("applyable"),
            deferred=deferred,
            deferred_reasons=tuple(self.deferred_reasons),
            sensitive_values=frozenset(self.secrets),
            masked_short_values=masker.masked_short,
        )

    def _sensitive_variables(self, members: Mapping[str, Any]) -> None:
        # The plan repeats every variable's value in clear; the configuration says which are sensitive.
        configuration = members.get("configuration")
        root = configuration.get("root_module") if isinstance(configuration, dict) else None
        declared = root.get("variables") if isinstance(root, dict) else None
        values = members.get("variables")
        if not isinstance(declared, dict) or not isinstance(values, dict):
            return
        for name, spec in declared.items():
            if isinstance(spec, dict) and spec.get("sensitive") and isinstance(values.get(name), dict):
                _collect_sensitive(values[name].get("value"), True, self.secrets)


# ---------------------------------------------------------------- reading the text, member by member
#
# msgspec splits the plan into its members, and a list member into its entries, as views of the plan's
# bytes: nothing is built for what is only passed over (planned_values, the prior state's resources).
# jiter then reads each member the guardrails use, and each resource change one at a time, refusing
# a key given twice in any object: JSON readers disagree on which of the two counts, so one the
# guardrails judged and another that a different reader would act on. Terraform never writes one.


class _StateValues(msgspec.Struct):
    outputs: msgspec.Raw = msgspec.Raw(b"null")  # the prior state's outputs; its resources are passed over


class _PriorState(msgspec.Struct):
    values: _StateValues | None = None


_MEMBERS = msgspec.json.Decoder(dict[str, msgspec.Raw])
_ENTRIES = msgspec.json.Decoder(list[msgspec.Raw] | None)
_PRIOR_STATE = msgspec.json.Decoder(_PriorState | None)
_DUPLICATE = re.compile(r'duplicate key "(.*)" at line', re.DOTALL)  # jiter's message
_AT_BYTE = re.compile(r"\(byte (\d+)\)$")  # msgspec's
_LINE_END = b" \t\r\n"


def _members(data: bytes) -> dict[str, msgspec.Raw]:
    if not data or data.isspace():  # not strip(): that would copy a large plan
        raise PlanError("the plan JSON is not an object: the file is empty")
    try:
        members = _MEMBERS.decode(data)
    except msgspec.ValidationError:
        raise PlanError("the plan JSON is not an object (corrupt or truncated?)") from None
    except msgspec.DecodeError as exc:
        raise PlanError(f"the plan is not valid JSON (corrupt or truncated?): {_malformed(str(exc))}") from None
    except RecursionError:
        raise _nested_too_deeply() from None
    for key in members:
        if ":" in key:  # see _refuse_repeated_members
            raise PlanError(f"the plan JSON has a member named {key!r}, which no terraform plan has (crafted?)")
    return members


def _written_compactly(data: bytes, members: dict[str, msgspec.Raw]) -> bool:
    """The text is the members read and nothing more, written as terraform writes a plan: `{"key":value,...}`
    without whitespace (a line break may end it). Then no member was given twice: a repeat's key and value
    would be bytes the members read do not account for, and a key written escaped only makes the text
    longer than its name, so any doubt falls to counting the colons (_refuse_repeated_members)."""
    end = len(data)
    while end and data[end - 1] in _LINE_END:
        end -= 1
    written = sum(len(key.encode()) + 3 + len(value) for key, value in members.items())  # "key":value
    return end == 2 + written + max(len(members) - 1, 0)  # the braces and the commas


def _refuse_repeated_members(data: bytes, members: dict[str, msgspec.Raw], colons_in_values: int) -> None:
    """A member given twice: msgspec keeps the last, so the colons tell. Each ':' in the text is inside a
    member's value or ends one of the plan's own keys (none has a ':' in its name, written or escaped),
    so the colons outside the values kept count the keys written; more keys than were read is a repeat."""
    if data.count(b":") - colons_in_values != len(members):
        raise PlanError(f"the plan JSON has {_repeated_member(data, members)} twice (tampered?): terraform never "
                        "writes that")


def _repeated_member(data: bytes, members: dict[str, msgspec.Raw]) -> str:
    """Which member is given twice, for the message: its name written as a key more often outside the
    values than once (unless the name was written escaped)."""
    for key in members:
        written = re.compile(re.escape(json.dumps(key).encode()) + rb"[ \t\n\r]*:")
        if len(written.findall(data)) - sum(len(written.findall(bytes(value))) for value in members.values()) > 1:
            return repr(key)
    return "one of its members"


def _read_members(members: dict[str, msgspec.Raw], reader: _Reader, counted: bool) -> tuple[dict[str, Any], int]:
    """The members the guardrails read, decoded, the others only as present (True); and when `counted`,
    the colons in their values, counted in the copies jiter reads (see _refuse_repeated_members)."""
    read: dict[str, Any] = {}
    colons = 0
    for key, value in members.items():
        if key == "resource_changes":
            colons += _read_entries(value, key, lambda entry, where: reader.resource(entry, where, reader.resources),
                                    counted)
        elif key == "resource_drift":
            colons += _read_entries(value, key, lambda entry, where: reader.resource(entry, where, reader.drift),
                                    counted)
        elif key == "deferred_changes":
            colons += _read_entries(value, key, reader.deferred_change, counted)
        elif key in _KEPT:
            text = bytes(value)
            colons += text.count(b":") if counted else 0
            read[key] = _decoded(text, key)
            continue
        else:
            colons += bytes(value).count(b":") if counted else 0
            if key == "prior_state":
                reader.state_outputs = _state_outputs(value)
        read[key] = True
    return read, colons


def _read_entries(value: msgspec.Raw, key: str, each: Callable[[Any, str], None], counted: bool) -> int:
    """Reads each entry of a list member; the colons in them, when `counted`."""
    try:
        entries = _ENTRIES.decode(value)
    except msgspec.ValidationError:
        raise PlanError(f"the plan's {key} is not a list") from None
    colons = 0
    for position, entry in enumerate(entries or ()):
        where, text = f"{key}[{position}]", bytes(entry)
        if counted:
            colons += text.count(b":")
        each(_decoded(text, where), where)
    return colons


def _state_outputs(value: msgspec.Raw) -> dict[str, Any]:
    # The prior state repeats every resource with its values; the guardrails need only its outputs
    # (which are sensitive, for masking).
    try:
        state = _PRIOR_STATE.decode(value)
    except msgspec.ValidationError as exc:
        raise PlanError(f"the plan's prior_state is not a terraform state: {exc}") from None
    if state is None or state.values is None:
        return {}
    outputs = _decoded(bytes(state.values.outputs), "prior_state.values.outputs")
    return outputs if isinstance(outputs, dict) else {}


def _decoded(text: bytes, where: str) -> Any:
    try:
        return jiter.from_json(text, catch_duplicate_keys=True, cache_mode="keys", allow_inf_nan=False)
    except ValueError as exc:
        message = str(exc)
    repeated = _DUPLICATE.search(message)
    if repeated:
        raise PlanError(f"the plan JSON has the key {repeated.group(1)!r} twice in one object in {where}: "
                        "terraform never writes that, so the plan was edited (tampered?)")
    if "recursion limit" in message:
        raise _nested_too_deeply()
    raise PlanError(f"the plan is not valid JSON (corrupt or truncated?): {message} in {where}")


def _malformed(message: str) -> str:
    """msgspec's account of broken JSON, in the plan's terms."""
    if message == "Input data was truncated":
        return "it ends before the JSON does (truncated)"
    message = _AT_BYTE.sub(r"at byte \1", message.removeprefix("JSON is malformed: "))
    if message.startswith("trailing characters"):
        return "extra data after the plan" + message.removeprefix("trailing characters")
    return message


def _nested_too_deeply() -> PlanError:
    # terraform nests a few levels deep; hundreds mean a crafted file, not a plan.
    return PlanError("the plan JSON is nested too deeply to be a terraform plan (crafted?)")


def _identity(kind: str, before: Any, after: Any, unknown: Any, action: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What a helm_release or kubernetes_manifest installs (its chart or kind, before and after), and
    whether that is only known after apply."""
    path = _IDENTITY.get(kind)
    if path is None:
        return (), ()
    seen = {value for side in (before, after) if isinstance(value := _at(side, path), str)}
    pending = unknown is True or any(_at(unknown, path[:depth]) is True for depth in range(1, len(path) + 1))
    if action not in ("delete", "forget", "read") and not isinstance(_at(after, path), str):
        pending = True  # creating or changing something the plan does not name
    return tuple(sorted(seen)), ((".".join(path),) if pending else ())


def _at(value: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _address_type(address: str) -> str | None:
    """The resource type in an address: module.db["a"].helm_release.this[0] -> helm_release."""
    steps = [match.group(1) for match in _ADDRESS_STEP.finditer(address)]
    while len(steps) >= 2 and steps[0] == "module":
        steps = steps[2:]
    if steps[:1] == ["data"]:
        steps = steps[1:]
    return steps[0] if len(steps) >= 2 else None


# ---------------------------------------------------------------- values, masked


class _Masker:
    """Masks every shown value that contains a sensitive value of the plan, however short.

    Run once every sensitive value is known (those of variables and outputs come last), on the
    whole value before it is cut short: a value shows as its first VALUE_CHARS characters, and
    any sensitive value that would show in them, even in part, makes it "(sensitive)".
    """

    def __init__(self, secrets: set[str]) -> None:
        forms = {secret for secret in secrets if secret}
        # As written in JSON text too; most secrets need no escaping, and a plan may hold thousands.
        forms.update([json.dumps(secret, ensure_ascii=False)[1:-1] for secret in forms
                      if not secret.isprintable() or '"' in secret or "\\" in secret])
        self._by_length: dict[int, set[str]] = {}
        for form in forms:
            self._by_length.setdefault(len(form), set()).add(form)
        # A value shorter than every sensitive value, and short enough to show whole, shows as it is.
        self._shortest = min(self._by_length, default=VALUE_CHARS + 1)
        # Where one of many values of a length may start: at a character one of them starts with.
        self._starts = {length: re.compile("[" + "".join(map(re.escape, sorted({form[0] for form in values}))) + "]")
                        for length, values in self._by_length.items() if len(values) > _SEARCHED_ONE_BY_ONE}
        self.masked_short = False

    def resources(self, found: list[ResourceChange]) -> tuple[ResourceChange, ...]:
        return tuple(map(self.resource, found))

    def resource(self, change: ResourceChange) -> ResourceChange:
        """The change with its attributes' values masked and cut short; the same change when that leaves
        every value as it was (most are short and hide nothing), so nothing is built twice."""
        value = self.value
        masked: list[AttributeChange] | None = None
        for position, attribute in enumerate(change.attributes):
            before, after = value(attribute.before), value(attribute.after)
            if before is not attribute.before or after is not attribute.after:
                masked = masked or list(change.attributes)
                masked[position] = AttributeChange(attribute.path, before, after)
        return change if masked is None else msgspec.structs.replace(change, attributes=tuple(masked))

    def value(self, text: str) -> str:
        if (len(text) < self._shortest and len(text) <= VALUE_CHARS) or text in (SENSITIVE, UNKNOWN):
            return text
        shown = len(text) if len(text) <= VALUE_CHARS else VALUE_CHARS - 1
        if self._hides(text, shown):
            return SENSITIVE
        return text if shown == len(text) else text[:shown] + "…"

    def _hides(self, text: str, shown: int) -> bool:
        for length, values in self._by_length.items():
            if length > len(text):
                continue
            # Every occurrence that starts inside the shown part: a substring search for a few values,
            # a look-up of each window for many (a plan can hold thousands of generated passwords).
            window = text[:shown + length - 1]
            if len(values) <= _SEARCHED_ONE_BY_ONE:
                found = any(value in window for value in values)
            else:  # the windows of that length that start at a character one of them starts with
                found = any(window[start:start + length] in values
                            for start in map(_start_of, self._starts[length].finditer(window, 0, shown)))
            if found:
                self.masked_short = self.masked_short or length < SHORT_SENSITIVE_CHARS
                return True
        return False


_ENCODE = msgspec.json.Encoder().encode
_start_of = operator.methodcaller("start")


def _text(value: Any) -> str:
    """A value as JSON text, whole: the masker cuts it short after masking."""
    return "null" if value is None else _ENCODE(value).decode()


def _add_attribute_changes(before: Any, after: Any, before_mask: Any, after_mask: Any, unknown: Any,
                           path: str, found: list[AttributeChange]) -> None:
    """The attributes that change, in the order the plan lists them, the first ATTRIBUTES_PER_CHANGE."""
    # Called for every changed value of every resource: plain type checks, no generators, and a
    # value that is not an object is judged here rather than in a call of its own.
    if not _is_object_pair(before, after, before_mask, after_mask) or unknown is True:
        _add_value_change(before, after, before_mask, after_mask, unknown, path or "(resource)", found)
        return
    before, after = before or {}, after or {}
    masks_before, masks_after, pending_all = type(before_mask) is dict, type(after_mask) is dict, type(unknown) is dict
    for key in after if before.keys() == after.keys() else _keys(before, after):
        old, new = before.get(key), after.get(key)
        pending = unknown.get(key, False) if pending_all else unknown
        if old == new and (pending is False or not _any_true(pending)):
            continue  # the common case, decided by one comparison in C
        old_mask = before_mask.get(key, False) if masks_before else before_mask
        new_mask = after_mask.get(key, False) if masks_after else after_mask
        where = f"{path}.{key}" if path else key
        if pending is not True and _is_object_pair(old, new, old_mask, new_mask):
            _add_attribute_changes(old, new, old_mask, new_mask, pending, where, found)
        else:
            _add_value_change(old, new, old_mask, new_mask, pending, where, found)
        if len(found) >= ATTRIBUTES_PER_CHANGE:
            return


def _is_object_pair(before: Any, after: Any, before_mask: Any, after_mask: Any) -> bool:
    """Two objects (or an object and nothing) compared key by key, neither marked sensitive as a whole."""
    return ((type(before) is dict or before is None) and (type(after) is dict or after is None)
            and (before is not None or after is not None) and before_mask is not True and after_mask is not True)


def _add_value_change(before: Any, after: Any, before_mask: Any, after_mask: Any, unknown: Any, path: str,
                      found: list[AttributeChange]) -> None:
    if unknown is True:
        hidden = _any_true(before_mask) or _any_true(after_mask)
        found.append(AttributeChange(path, SENSITIVE if hidden else _text(before), UNKNOWN))
    elif before == after and not _any_true(unknown):
        return
    elif _any_true(before_mask) or _any_true(after_mask):
        found.append(AttributeChange(path, SENSITIVE, SENSITIVE))
    else:
        found.append(AttributeChange(path, _text(before), UNKNOWN if _any_true(unknown) else _text(after)))


def _keys(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    keys = dict.fromkeys(after)
    keys.update(dict.fromkeys(before))
    return list(keys)


def _any_true(mask: Any) -> bool:
    if mask is False:
        return False
    if mask is True:
        return True
    if type(mask) is dict:
        return any(_any_true(sub) for sub in mask.values())
    if type(mask) is list:
        return any(_any_true(sub) for sub in mask)
    return False


def _collect_sensitive(value: Any, mask: Any, secrets: set[str]) -> None:
    if mask is True:
        if type(value) is str:
            secrets.add(value)
        else:
            secrets.update(_leaves(value))
    elif type(mask) is dict and type(value) is dict:
        for key, sub in mask.items():
            if sub is True and type(leaf := value.get(key)) is str:
                secrets.add(leaf)  # the common case, without a call
            elif sub is not False:
                _collect_sensitive(value.get(key), sub, secrets)
    elif type(mask) is list and type(value) is list:
        for sub_value, sub_mask in zip(value, mask, strict=False):
            if sub_mask is not False:
                _collect_sensitive(sub_value, sub_mask, secrets)


def _leaves(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for sub in value.values():
            yield from _leaves(sub)
    elif isinstance(value, list):
        for sub in value:
            yield from _leaves(sub)
    elif isinstance(value, bool):
        yield "true" if value else "false"  # as JSON writes it: a sensitive flag is masked too
    elif value is not None:
        yield value if isinstance(value, str) else str(value)
