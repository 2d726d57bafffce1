"""Which form an issue was filed through, and its answers, read once per event."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from responder.forms import specs as forms
from responder.forms.answers import ParsedForm, parse_body
from responder.forms.platform_answers import read_ask
from responder.forms.specs import FormSpec
from responder.model.events import Issue
from responder.model.platform import PlatformAsk

if TYPE_CHECKING:
    from responder.config.loader import Config


@dataclass(frozen=True)
class Filing:
    kind: str  # forms.KIND_OUTAGE, forms.KIND_FEATURE, forms.KIND_PLATFORM or forms.KIND_UNKNOWN
    form: FormSpec | None  # None: not filed through a known form
    parsed: ParsedForm | None  # the answers, parsed against that form
    ask: PlatformAsk | None = None  # a platform request's answers, read (None when any is malformed)


def read_filing(issue: Issue, config: Config) -> Filing:
    kind, form = detect_kind(issue, config)
    parsed = parse_body(issue.body, form) if form is not None else None
    if kind != forms.KIND_PLATFORM or parsed is None or not parsed.valid:
        return Filing(kind, form, parsed)
    # What a platform request needs depends on the request: its malformed answers join the form's problems.
    reading = read_ask(parsed, config, issue.author.login)
    return Filing(kind, form, replace(parsed, problems=(*parsed.problems, *reading.problems)), reading.ask)


def detect_kind(issue: Issue, config: Config) -> tuple[str, FormSpec | None]:
    """Which form the issue came from: by its label, else by its headings."""
    known = forms.forms_for(config)
    labels = set(issue.labels)
    by_label = [form for form in known if set(form.labels) & labels]
    if len(by_label) == 1:
        return by_label[0].kind, by_label[0]
    for form in known:
        if _has_all_required_headings(issue.body, form):
            return form.kind, form
    return forms.KIND_UNKNOWN, None


def _has_all_required_headings(body: str | None, form: FormSpec) -> bool:
    if not body:
        return False
    headings = {forms.normalise_label(line[4:]) for line in body.replace("\r", "").split("\n")
                if line.startswith("### ")}
    required = [forms.normalise_label(f.label) for f in form.fields if f.required]
    return bool(required) and all(label in headings for label in required)
