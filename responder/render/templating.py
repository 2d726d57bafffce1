"""The one Jinja factory: every template the project renders gets its environment here.

What differs between outputs is passed in: where the templates are (a team's override
directory first), how values are escaped (autoescape for HTML, a finalize function for
Markdown, nothing for a plain-text prompt), and the filters. What never differs is fixed
here: an undefined name is an error, not an empty string, and blocks do not leave blank lines.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2


def make_environment(
    template_dirs: Sequence[Path | str],
    *,
    autoescape: bool,
    finalize: Callable[[Any], Any] | None = None,
    filters: Mapping[str, Callable[..., Any]] | None = None,
    globals: Mapping[str, Any] | None = None,
    keep_trailing_newline: bool = False,
) -> jinja2.Environment:
    import jinja2

    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(directory)) for directory in template_dirs])
    env = jinja2.Environment(
        loader=loader,
        autoescape=autoescape,  # noqa: S701 - the callers choose: HTML autoescapes, Markdown finalizes
        finalize=finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=keep_trailing_newline,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(filters or {})
    env.globals.update(globals or {})
    return env
