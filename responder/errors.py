"""One exception hierarchy for the responder.

Every error a user can cause carries an exit code and a message written for
the person who must fix it. The CLI catches ResponderError at the top and
prints one line plus an optional hint; a traceback is a bug.
"""

from __future__ import annotations

# Exit codes mean something to the scripts that call us.
EXIT_OK = 0
EXIT_FAILED = 1  # could not finish (an outside system failed); safe to retry
EXIT_BAD_INPUT = 2  # the config, the event or a file is wrong; retrying will not help
EXIT_BLOCKED = 3  # a safety policy refused the change


class ResponderError(Exception):
    """Base of every error the responder reports to a user."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ConfigError(ResponderError):
    """responder.yml is missing, unreadable or invalid. Lists every problem at once."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, *, problems: tuple[str, ...] = (), hint: str | None = None,
                 located: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message, hint=hint)
        self.problems = problems
        # The same problems as (key path, message), for machine-readable output (check-config --format json).
        self.located = located

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        return self.message + "\n" + "\n".join(f"  - {p}" for p in self.problems)


class InputError(ResponderError):
    """A file or event given on the command line cannot be used."""

    exit_code = EXIT_BAD_INPUT


class GitHubError(ResponderError):
    """The GitHub API refused a request or stayed unavailable after retries."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str, *, status: int | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


class PolicyBlocked(ResponderError):
    """A safety rule refused to let an action run."""

    exit_code = EXIT_BLOCKED
