"""The words the issue forms and the severity rules share: error types, scopes, kinds of report.

Data only, so the config, the forms and the severity rules can all use it without importing one another.
"""

from __future__ import annotations

from collections.abc import Mapping

OTHER_SERVICE = "Other / not sure"

ERROR_WONT_LOAD = "Page won't load (timeout / connection refused)"
ERROR_502 = "502 Bad Gateway"
ERROR_503 = "503 Service Unavailable"
ERROR_LOGIN = "Login / authentication not working"
ERROR_SLOW = "Slow / degraded performance"
ERROR_FEATURE = "Specific feature broken"
ERROR_DATA = "Data missing, incorrect or lost"
ERROR_SECURITY = "Security concern"
ERROR_COSMETIC = "Cosmetic / typo"
ERROR_OTHER = "Other / not sure"

ERROR_TYPES: tuple[str, ...] = (
    ERROR_WONT_LOAD,
    ERROR_502,
    ERROR_503,
    ERROR_LOGIN,
    ERROR_SLOW,
    ERROR_FEATURE,
    ERROR_DATA,
    ERROR_SECURITY,
    ERROR_COSMETIC,
    ERROR_OTHER,
)

# Until a probe has looked, the report stands for the state of the service.
REPORTED_STATE: Mapping[str, str] = {
    ERROR_WONT_LOAD: "down",
    ERROR_502: "down",
    ERROR_503: "down",
    ERROR_LOGIN: "down",
    ERROR_SLOW: "degraded",
    ERROR_FEATURE: "degraded",
    ERROR_DATA: "unknown",
    ERROR_SECURITY: "unknown",
    ERROR_COSMETIC: "cosmetic",
    ERROR_OTHER: "unknown",
}

SCOPE_ME = "Just me"
SCOPE_MULTIPLE = "Multiple people affected"
SCOPE_EVERYONE = "Everyone"
SCOPE_UNSURE = "Not sure"
SCOPES: tuple[str, ...] = (SCOPE_ME, SCOPE_MULTIPLE, SCOPE_EVERYONE, SCOPE_UNSURE)

KIND_OUTAGE = "outage-report"
KIND_FEATURE = "feature-request"
KIND_PLATFORM = "platform-request"
KIND_UNKNOWN = "unknown"


def normalise_label(text: str) -> str:
    """People edit bodies: tolerate case and spacing differences in headings."""
    return " ".join(text.split()).casefold()
