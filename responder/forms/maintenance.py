"""Scheduled maintenance: its issue form and the window it announces.

Maintenance is announced by opening an issue from the generated form
(`statuspage templates`). Issue forms apply their label for anyone, so the
label proves nothing: only windows from trusted authors count. The status
page lists them and shows their services as under maintenance, and
`responder watch` opens no incident for a service whose window is running
and warns of an interruption. A window that cannot be read is listed as
such and changes no service state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from responder.forms.answers import parse_body
from responder.forms.specs import Field, FormSpec
from responder.model.timestamps import iso_utc, parse_utc

if TYPE_CHECKING:
    from responder.config.loader import Config

IMPACT_NONE = "No interruption expected"
IMPACT_BRIEF = "Brief interruptions"
IMPACT_UNAVAILABLE = "Unavailable during the window"
IMPACTS = (IMPACT_NONE, IMPACT_BRIEF, IMPACT_UNAVAILABLE)
MAX_WINDOW = timedelta(days=14)  # longer than this is almost surely a typo in a date
TIME_HINT = "YYYY-MM-DD HH:MM in UTC, e.g. 2026-11-25 22:00 (or with an offset: 2026-11-25 23:00 +01:00)"


@dataclass(frozen=True)
class Window:
    start: datetime | None
    end: datetime | None
    problem: str | None = None  # why the window could not be read

    def active(self, now: datetime) -> bool:
        return self.problem is None and self.start is not None and self.end is not None \
            and self.start <= now < self.end


def maintenance_form(config: Config, file_name: str = "maintenance.yml") -> FormSpec:
    services = tuple(s.title for s in config.services)
    intro = ("Announce planned work. The status page lists the window, and the services you pick show "
             "\"maintenance\" while it runs. Only announcements from collaborators are published. "
             "Close the issue to cancel the window.")
    return FormSpec(
        name="Scheduled maintenance",
        kind="maintenance",
        file_name=file_name,
        description="Announce a maintenance window on the status page.",
        title="[Maintenance]: ",
        labels=(config.labels["maintenance"],),
        intro=intro,
        fields=(
            Field("services", "dropdown", "Which services are affected?", required=True, options=services,
                  multiple=True),
            Field("start", "input", "Start", required=True, description=TIME_HINT, placeholder="2026-11-25 22:00"),
            Field("end", "input", "End", required=True, description=TIME_HINT, placeholder="2026-11-25 23:30"),
            Field("impact", "dropdown", "What will users notice?", required=True, options=IMPACTS),
            Field("details", "textarea", "What will be done?", required=True,
                  description="Shown on the status page. Markdown links and emphasis work; HTML does not."),
        ),
    )


def parse_moment(text: str | None) -> datetime | None:
    """'2026-11-25 22:00' (UTC), '... UTC', '...Z' or '... +01:00', as an aware UTC datetime."""
    if not text:
        return None
    cleaned = " ".join(text.strip().split())
    if cleaned.upper().endswith(" UTC"):
        cleaned = cleaned[:-4]
    return parse_utc(cleaned.replace(" +", "+").replace(" -", "-"))


def read_window(start_text: str | None, end_text: str | None) -> Window:
    start, end = parse_moment(start_text), parse_moment(end_text)
    if start is None or end is None:
        which = "start" if start is None else "end"
        return Window(start, end, f"the {which} time is not in the form {TIME_HINT}")
    if end <= start:
        return Window(start, end, "the window ends before it starts")
    if end - start > MAX_WINDOW:
        return Window(start, end, "the window is longer than 14 days")
    return Window(start, end)


def answers(body: str | None, form: FormSpec) -> tuple[tuple[str, ...], Window, str, str]:
    """Service titles, window, impact and details from a maintenance issue body."""
    parsed = parse_body(body, form)
    titles = parsed.values.get("services")
    chosen = tuple(str(t) for t in titles if t in form.fields[0].options) if isinstance(titles, list) else ()
    window = read_window(parsed.text("start"), parsed.text("end"))
    impact = parsed.choice("impact") or ""
    return chosen, window, impact if impact in IMPACTS else "", parsed.text("details") or ""


@dataclass(frozen=True)
class Announcement:
    """An open maintenance issue, as announced: the services it names (by name), its window and impact.
    Whether its author may announce maintenance is the caller's to decide (the label proves nothing)."""

    number: int
    services: tuple[str, ...]
    window: Window
    impact: str

    @property
    def until(self) -> str | None:
        """When the window ends, in ISO 8601 UTC; None when it cannot be read."""
        return iso_utc(self.window.end) if self.window.end else None

    def expects_failures(self, now: datetime) -> bool:
        """Running now and warning that its services will be interrupted: a failed check is what it said."""
        return self.window.active(now) and self.impact in (IMPACT_BRIEF, IMPACT_UNAVAILABLE)

    def to_json(self) -> dict[str, object]:
        return {"issue": self.number, "until": self.until, "impact": self.impact}


def announcement(number: int, body: str | None, config: Config) -> Announcement:
    """A maintenance issue's body, read against the maintenance form; service titles become names."""
    form = maintenance_form(config)
    titles, window, impact, _ = answers(body, form)
    names = tuple(dict.fromkeys(service.name for title in titles if (service := config.service_by_title(title))))
    return Announcement(number, names, window, impact)
