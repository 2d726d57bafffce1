"""Parse an issue-form body into answers keyed by field id, and validate them.

The output has the shape GitHub's issue-ops parser produces: inputs and
textareas are strings, dropdowns are lists of the chosen options, checkboxes
are {"selected": [...], "unselected": [...]}, and unanswered fields
(`_No response_`) are left out.

The body is untrusted text. Only `### ` at the start of a line and outside a
fenced code block can start a field; with the form known, only the form's
own labels do, so a heading someone types inside a textarea stays part of
that answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from responder.forms.specs import Field, FormSpec

NO_RESPONSE = "_No response_"
NO_SELECTION = "None"
MAX_BODY = 65_536  # GitHub's limit for an issue body

_FENCE_OPEN = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_CHECKBOX = re.compile(r"^\s*[-*+] \[(?P<mark>[ xX])\] ?(?P<label>.*)$")


@dataclass(frozen=True)
class Problem:
    field: str | None  # field id, or None for the body as a whole
    message: str
    fatal: bool = True  # False: a warning that does not make the form invalid

    def line(self, form: FormSpec | None = None) -> str:
        level = "error" if self.fatal else "warning"
        if self.field is None:
            return f"{level}: {self.message}"
        spec = form.field_by_id(self.field) if form else None
        where = f"{self.field} ({spec.label})" if spec else self.field
        return f"{level}: {where}: {self.message}"


@dataclass(frozen=True)
class ParsedForm:
    values: Mapping[str, Any]
    problems: tuple[Problem, ...] = ()

    @property
    def valid(self) -> bool:
        return not any(problem.fatal for problem in self.problems)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.fatal)

    def text(self, field_id: str) -> str | None:
        value = self.values.get(field_id)
        return value if isinstance(value, str) and value else None

    def choice(self, field_id: str) -> str | None:
        value = self.values.get(field_id)
        if isinstance(value, list) and value:
            return str(value[0])
        return None


@dataclass(frozen=True)
class _Section:
    heading: str
    lines: tuple[str, ...]


def parse_body(body: str | None, form: FormSpec | None = None) -> ParsedForm:
    """Parse and, with a form, validate an issue body. Never raises on any text."""
    text = (body or "").replace("\r\n", "\n").replace("\r", "\n")
    sections = _split(text, form)
    if form is None:
        values: dict[str, Any] = {}
        for section in sections:
            value = _text_value(section.lines)
            if value is not None and section.heading not in values:
                values[section.heading] = value
        return ParsedForm(values)

    values = {}
    problems: list[Problem] = []
    for section in sections:
        spec = form.field_for_heading(section.heading)
        if spec is None:  # cannot happen: _split only starts sections at form labels
            continue
        value, warnings = _field_value(spec, section.lines)
        problems.extend(warnings)
        if value is not None:
            values[spec.id] = value
    problems.extend(validate(values, form))
    if len(text) > MAX_BODY:
        problems.append(Problem(None, f"the body is longer than GitHub's {MAX_BODY} characters", fatal=False))
    return ParsedForm(values, tuple(problems))


def _split(text: str, form: FormSpec | None) -> list[_Section]:
    sections: list[_Section] = []
    heading: str | None = None
    lines: list[str] = []
    seen: set[str] = set()
    fence: str | None = None
    for line in text.split("\n"):
        if fence is not None:
            if _closes(line, fence):
                fence = None
        else:
            opened = _FENCE_OPEN.match(line)
            if opened and not (opened["fence"][0] == "`" and "`" in opened["info"]):
                fence = opened["fence"]
            elif line.startswith("### "):
                title = line[4:].strip()
                starts_field = bool(title)
                if form is not None:
                    spec = form.field_for_heading(title)
                    starts_field = spec is not None and spec.id not in seen
                    if starts_field and spec is not None:
                        seen.add(spec.id)
                if starts_field:
                    if heading is not None:
                        sections.append(_Section(heading, tuple(lines)))
                    heading, lines = title, []
                    continue
        if heading is not None:
            lines.append(line)
    if heading is not None:
        sections.append(_Section(heading, tuple(lines)))
    return sections


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    if len(line) - len(line.lstrip(" ")) > 3:
        return False
    return (
        len(stripped) >= len(fence)
        and set(stripped) == {fence[0]}
    )


def _trimmed(lines: tuple[str, ...]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return [line.rstrip() for line in lines[start:end]]


def _text_value(lines: tuple[str, ...]) -> str | None:
    value = "\n".join(_trimmed(lines))
    if not value or value == NO_RESPONSE:
        return None
    return value


def _field_value(spec: Field, lines: tuple[str, ...]) -> tuple[Any, list[Problem]]:
    if spec.type in ("input", "textarea"):
        value = _text_value(lines)
        if value is not None and spec.render:
            value = _unwrap_render_fence(value)
        return value, []
    content = _trimmed(lines)
    if spec.type == "dropdown":
        if not content or content[0] == NO_RESPONSE:
            # Unanswered: [] as GitHub's own issue-ops parser gives it (and its published fixtures expect).
            return [], _trailing(spec, content[1:] if content else [])
        answer = content[0].strip()
        if answer == NO_SELECTION:
            return [], _trailing(spec, content[1:])
        return _split_options(answer, spec), _trailing(spec, content[1:])
    # checkboxes
    selected: list[str] = []
    unselected: list[str] = []
    extra: list[str] = []
    for line in content:
        match = _CHECKBOX.match(line)
        if match:
            (unselected if match["mark"] == " " else selected).append(match["label"].strip())
        elif line.strip() and line.strip() != NO_RESPONSE:
            extra.append(line)
    return {"selected": selected, "unselected": unselected}, _trailing(spec, extra)


def _trailing(spec: Field, extra: list[str]) -> list[Problem]:
    if not any(line.strip() for line in extra):
        return []
    return [Problem(spec.id, "extra text after the answer was left out of the value", fatal=False)]


def _unwrap_render_fence(value: str) -> str:
    lines = value.split("\n")
    if len(lines) >= 2 and lines[0].startswith("```") and lines[-1].strip() == "```":
        return "\n".join(lines[1:-1])
    return value


def _split_options(answer: str, spec: Field) -> list[str]:
    """A dropdown answer is the chosen options joined by ", ".

    Options may themselves contain ", " (e.g. "Data missing, incorrect or
    lost"), so known options are matched first; only text that matches no
    option is split naively, and validation reports it.
    """
    if answer in spec.options:
        return [answer]
    if spec.multiple:
        matched = _match_options(answer, sorted(spec.options, key=len, reverse=True))
        if matched is not None:
            return matched
        return [part.strip() for part in answer.split(", ") if part.strip()]
    return [answer]


def _match_options(text: str, options: list[str]) -> list[str] | None:
    if not text:
        return []
    for option in options:
        if text == option:
            return [option]
        if text.startswith(option + ", "):
            rest = _match_options(text[len(option) + 2:], options)
            if rest is not None:
                return [option, *rest]
    return None


def validate(values: Mapping[str, Any], form: FormSpec) -> list[Problem]:
    """Missing required answers and answers that are not an option, by field."""
    problems: list[Problem] = []
    for spec in form.fields:
        value = values.get(spec.id)
        if spec.type == "dropdown" and isinstance(value, list):
            for chosen in value:
                if chosen not in spec.options:
                    problems.append(Problem(spec.id, f"{_quote(chosen)} is not one of the options"))
            if not spec.multiple and len(value) > 1:
                problems.append(Problem(spec.id, "only one option may be chosen"))
        if spec.type == "checkboxes" and isinstance(value, dict):
            for option in spec.required_options:
                if option not in value["selected"]:
                    problems.append(Problem(spec.id, f"{_quote(option)} must be ticked"))
        if spec.required and _is_empty(value):
            problems.append(Problem(spec.id, "required, but no answer was given"))
    for condition in form.conditions:
        chosen = values.get(condition.field)
        if not isinstance(chosen, list) or condition.option not in chosen:
            continue
        for field_id in condition.required:
            if _is_empty(values.get(field_id)):
                problems.append(Problem(field_id, f"required for \"{condition.option}\", but no answer was given"))
        if condition.any_of and all(_is_empty(values.get(field_id)) for field_id in condition.any_of):
            found = (form.field_by_id(field_id) for field_id in condition.any_of)
            names = [candidate.label for candidate in found if candidate is not None]
            problems.append(Problem(condition.any_of[0], f"\"{condition.option}\" needs at least one of: "
                                                         + ", ".join(names)))
    return problems


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, dict):
        return not value.get("selected")
    return not value


def _quote(text: str) -> str:
    shown = text if len(text) <= 80 else text[:77] + "..."
    return '"' + shown.replace('"', "'") + '"'
