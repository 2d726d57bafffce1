"""A post-mortem file: YAML front matter (data) and a Markdown body.

The generator owns the facts; people own the judgement. Sections people
write sit between `<!-- human:begin NAME -->` and `<!-- human:end NAME -->`
and are carried over verbatim whenever the post-mortem is regenerated. The
action items table sits between `generated:` markers and is always rendered
from the front matter. A digest of everything else, stored in the front
matter, shows whether someone edited the generated text by hand: then the
generator refuses to overwrite rather than lose their words.

Pure functions only; reading and writing files is the caller's business.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from postmortem.document.rendering import render_template
from postmortem.model.action_items import ActionItem, parse_action_items
from postmortem.model.incident import Incident, format_duration
from responder.errors import InputError
from responder.model.timestamps import iso_utc
from responder.render.quoting import Markdown

GENERATOR = "issueops-responder"
TEMPLATE = "postmortem.md.j2"
ACTION_ITEMS_TEMPLATE = "action-items.md.j2"
SLUG_LIMIT = 60
ACTION_ITEMS_BEGIN = ("<!-- generated:begin action-items (rendered from action_items in the front matter: "
                      "edit them there) -->")

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?P<yaml>.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_HUMAN = re.compile(
    r"^<!-- human:begin (?P<name>[a-z0-9-]+)\b[^\n]*?-->\n(?P<body>.*?)^<!-- human:end (?P=name) -->$",
    re.DOTALL | re.MULTILINE,
)
_ACTION_ITEMS = re.compile(
    r"(?P<open>^<!-- generated:begin action-items\b[^\n]*?-->\n)(?P<body>.*?)"
    r"(?P<close>^<!-- generated:end action-items -->$)",
    re.DOTALL | re.MULTILINE,
)
# Keys the generator rewrites on every run; every other key (status, action_items, anything a person
# added) is kept as it is.
GENERATED_KEYS = ("title", "date", "severity", "duration", "duration_minutes", "started_at", "recovered_at",
                  "acknowledged_at", "time_to_acknowledge_minutes", "time_to_resolve_minutes",
                  "services", "issue", "issue_number", "error_budget")
_ORDER = ("title", "date", "severity", "status", "duration", "duration_minutes", "started_at", "recovered_at",
          "acknowledged_at", "time_to_acknowledge_minutes", "time_to_resolve_minutes",
          "services", "issue", "issue_number", "error_budget", "action_items")


@dataclass(frozen=True)
class Document:
    front_matter: Mapping[str, Any] | None  # None when it is missing or broken
    body: str
    problem: str | None = None  # why the front matter cannot be used

    @property
    def action_items(self) -> tuple[tuple[ActionItem, ...], tuple[str, ...]]:
        return parse_action_items((self.front_matter or {}).get("action_items"))


# ---------------------------------------------------------------- names


def slugify(title: str, number: int) -> str:
    """ASCII letters, digits and dashes only, whatever the title holds; `incident-N` if nothing is left."""
    # "Can't" reads better as "cant" than "can-t".
    text = re.sub(r"(?<=\w)['’](?=\w)", "", title)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    if len(text) > SLUG_LIMIT:
        cut = text[:SLUG_LIMIT]
        # End on a whole word when one ends late enough.
        text = cut[: cut.rfind("-")] if cut.rfind("-") > SLUG_LIMIT // 2 else cut
    return text.strip("-") or f"incident-{number}"


def file_name(incident: Incident) -> str:
    return f"{incident.date}-{slugify(incident.title, incident.number)}.md"


def page_title(title: str, number: int) -> str:
    """The title for the front matter, safe where mkdocs themes print it unescaped.

    mkdocs renders page titles without HTML escaping (header, nav, <title>), so
    characters that could open markup or an entity are replaced, not escaped.
    """
    text = "".join(ch for ch in title if unicodedata.category(ch)[0] != "C")
    text = " ".join(text.replace("<", " ").replace(">", " ").replace("&", " and ").replace('"', "'").split())
    return text or f"Incident #{number}"


# ---------------------------------------------------------------- parsing


def parse_document(text: str) -> Document:
    from responder.config import yaml_codec

    match = _FRONT_MATTER.match(text)
    if match is None:
        return Document(None, text, "it has no front matter (a block between two --- lines at the top)")
    body = text[match.end():]
    try:
        # The C parser when libyaml is there: the index reads hundreds of front matters.
        data = yaml_codec.load(match["yaml"])
    except yaml_codec.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 2}, column {mark.column + 1}" if mark else ""
        return Document(None, body, f"its front matter is not valid YAML{where}: {exc.problem}")
    except yaml_codec.YAMLError as exc:
        return Document(None, body, f"its front matter is not valid YAML: {exc}")
    if not isinstance(data, dict):
        return Document(None, body, "its front matter is not a mapping of keys to values")
    return Document(data, body)


def dump_document(front_matter: Mapping[str, Any], body: str) -> str:
    from responder.config import yaml_codec

    ordered = {key: front_matter[key] for key in _ORDER if key in front_matter}
    ordered.update({key: value for key, value in front_matter.items() if key not in ordered})
    text = yaml_codec.dump(ordered, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=False)
    return f"---\n{text}---\n\n{body.lstrip(chr(10))}"


def human_sections(body: str) -> dict[str, str]:
    return {match["name"]: match["body"].strip("\n") for match in _HUMAN.finditer(body)}


def human_block(name: str, text: str) -> str:
    # Blank lines around the markers: an HTML comment runs on until a blank line in Markdown.
    inner = text.strip("\n")
    return (f"<!-- human:begin {name} (yours: kept when the post-mortem is regenerated) -->\n\n"
            + (f"{inner}\n\n" if inner else "") + f"<!-- human:end {name} -->\n")


def generated_digest(body: str) -> str:
    """Fingerprint of the generated text only: people's sections and the action items are left out."""
    bare = _HUMAN.sub(lambda m: f"<!-- human:{m['name']} -->", body)
    bare = _ACTION_ITEMS.sub(lambda m: m["open"] + m["close"], bare)
    bare = "\n".join(line.rstrip() for line in bare.strip().splitlines())
    return hashlib.sha256(bare.encode("utf-8")).hexdigest()[:16]


def action_items_block(table: str) -> str:
    return (f"{ACTION_ITEMS_BEGIN}\n\n{table.strip(chr(10))}\n\n"
            "<!-- generated:end action-items -->\n")


def replace_action_items(body: str, table: str) -> str:
    """Swap the rendered action items for a new rendering; the rest of the body is untouched."""
    if not _ACTION_ITEMS.search(body):
        raise InputError("the post-mortem has no action items block (<!-- generated:begin action-items -->)",
                         hint="Regenerate it with `postmortem write`, or restore the markers.")
    block = action_items_block(table).rstrip("\n")
    return _ACTION_ITEMS.sub(lambda m: block, body, count=1)


def render_action_items(items: Sequence[ActionItem], problems: Sequence[str], incident_url: object = None,
                        templates_dir: Path | None = None) -> str:
    # Follow-up issues live next to the incident's issue: .../issues/42 -> .../issues/.
    match = re.match(r"^(https://[^\s]+/issues/)\d+$", str(incident_url or ""))
    return render_template(ACTION_ITEMS_TEMPLATE, {
        "items": items, "problems": problems, "issues_url": match.group(1) if match else None,
    }, templates_dir)


# ---------------------------------------------------------------- composing


@dataclass(frozen=True)
class Composed:
    front_matter: Mapping[str, Any]
    text: str


def check_can_update(existing: Document, where: str) -> None:
    """Refuse to regenerate over a broken front matter or hand edits outside the human sections."""
    if existing.problem or existing.front_matter is None:
        raise InputError(f"{where}: {existing.problem}; nothing was overwritten",
                         hint="Fix the front matter (or move the file away to start a new draft).")
    stored = (existing.front_matter.get("generated") or {})
    digest = stored.get("digest") if isinstance(stored, Mapping) else None
    if digest != generated_digest(existing.body):
        raise InputError(
            f"{where}: the generated part was edited by hand; regenerating would lose those edits, "
            "so nothing was overwritten",
            hint="Move your text into a section between `<!-- human:begin NAME -->` and "
                 "`<!-- human:end NAME -->`, or pass --force to regenerate anyway.")


def compose(incident: Incident, *, existing: Document | None, link: str | None, default_owner: str | None,
            templates_dir: Path | None = None) -> Composed:
    """The post-mortem for this incident, keeping what people wrote in an existing version."""
    previous = dict(existing.front_matter or {}) if existing else {}
    kept = human_sections(existing.body) if existing else {}
    raw_items = previous["action_items"] if "action_items" in previous else proposed_items(incident,
                                                                                           default_owner)
    items, problems = parse_action_items(raw_items)
    used: list[str] = []
    context = _context(incident, link)
    context.update({
        "status": str(previous.get("status") or "Draft"),
        "human": _human_section(kept, used),
        "action_items": Markdown(action_items_block(render_action_items(items, problems, incident.url,
                                                                        templates_dir))),
    })
    body = render_template(TEMPLATE, context, templates_dir)
    orphans = {name: text for name, text in kept.items() if name not in used}
    if orphans:
        # A section the template no longer has: keep the words at the end rather than drop them.
        body = body.rstrip("\n") + "\n\n## Notes kept from an earlier version\n\n" + "\n\n".join(
            human_block(name, text) for name, text in orphans.items()
        ) + "\n"
    front = {key: value for key, value in previous.items() if key not in GENERATED_KEYS}
    front.update(_front_matter(incident))
    front.setdefault("status", "Draft")
    front["action_items"] = raw_items
    front["generated"] = {"by": GENERATOR, "digest": generated_digest(body)}
    return Composed(front, dump_document(front, body))


def _human_section(kept: Mapping[str, str], used: list[str]) -> Callable[..., Markdown]:
    def human(name: str, caller: Callable[[], str] | None = None) -> Markdown:
        used.append(name)
        return Markdown(human_block(name, kept[name] if name in kept else (caller() if caller else "")))

    return human


def proposed_items(incident: Incident, owner: str | None) -> list[dict[str, Any]]:
    """Starting points for a person to accept (status TODO) or drop; never filed while PROPOSED."""
    closed = (incident.closed_at or incident.started_at).date()
    items: list[dict[str, Any]] = [{
        "id": 1, "action": "Confirm the root cause and write it down in this post-mortem",
        "type": "investigation", "owner": owner, "priority": "P1",
        "due": closed + timedelta(days=7), "status": "TODO",
    }]
    if incident.start_basis == "report":
        for service in incident.services:
            items.append({
                "id": len(items) + 1,
                "action": f"Alert when {service.title} is down, before users report it",
                "type": "alert", "owner": owner, "priority": "P2",
                "due": closed + timedelta(days=14), "status": "PROPOSED",
            })
    return items


def _iso(moment: dt.datetime | None) -> str | None:
    return iso_utc(moment) if moment else None


def _minutes(duration: timedelta | None) -> int | None:
    return round(duration.total_seconds() / 60) if duration is not None else None


def _front_matter(incident: Incident) -> dict[str, Any]:
    duration = incident.duration
    return {
        "title": page_title(incident.title, incident.number),
        "date": incident.started_at.date(),
        "severity": incident.severity or "unknown",
        "duration": format_duration(duration),
        "duration_minutes": round(duration.total_seconds() / 60) if duration is not None else None,
        "started_at": _iso(incident.started_at),
        "recovered_at": _iso(incident.recovered_at),
        "acknowledged_at": _iso(incident.acknowledged_at),
        "time_to_acknowledge_minutes": _minutes(incident.time_to_acknowledge),
        "time_to_resolve_minutes": _minutes(incident.time_to_resolve),
        "services": [service.name for service in incident.services],
        "issue": incident.url or None,
        "issue_number": incident.number,
        "error_budget": [budget.to_json() for budget in incident.budgets],
    }


def _target_text(incident: Incident) -> str | None:
    """The response target of the incident's level and whether it was met, in words; None if unknown."""
    targets = incident.acknowledge_target
    if targets is None:
        return None
    within = format_duration(targets.respond) if targets.respond is not None else "the next business day"
    met = incident.acknowledged_in_time
    return f"target {within}" + ("" if met is None else (": met" if met else ": missed"))


def _context(incident: Incident, link: str | None) -> dict[str, Any]:
    def clock(moment: dt.datetime | None) -> str:
        return moment.strftime("%Y-%m-%d %H:%M") if moment else "not recorded"

    return {
        "incident": incident,
        "title": incident.title or f"Incident #{incident.number}",
        "date": incident.date,
        "severity": incident.severity,
        "duration": format_duration(incident.duration),
        "started": clock(incident.started_at),
        "recovered": clock(incident.recovered_at),
        "closed": clock(incident.closed_at),
        "start_basis": incident.start_basis,
        "end_basis": incident.end_basis,
        "services": incident.services,
        "reported_service": incident.reported_service,
        "budgets": incident.budgets,
        "timeline": [
            {"time": clock(entry.at), "actor": entry.actor, "kind": entry.kind, "text": entry.text,
             "source": entry.source}
            for entry in incident.timeline.entries
        ],
        "evidence": [
            {"time": clock(entry.at), "kind": entry.kind, "text": entry.text, "source": entry.source}
            for entry in incident.evidence()
        ],
        "responders": incident.responders,
        "reporter": incident.reporter,
        "time_to_acknowledge": format_duration(incident.time_to_acknowledge),
        "time_to_resolve": format_duration(incident.time_to_resolve),
        "acknowledge_target": _target_text(incident),
        "link": link,
    }
