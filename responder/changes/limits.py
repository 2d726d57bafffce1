"""Is a requested change supported and within the service's configured bounds?

Pure: a ChangeRequest and the service's catalogue entry in, a verdict out.
Every automated change needs an explicit bound in `services[].terraform.limits`;
a kind without one is not automatic (a person sets the bound first).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from responder.config.loader import Service
from responder.model import quantities
from responder.model.changes import CHANGE_KINDS, ChangeRequest
from responder.model.quantities import Quantity, QuantityError

# Docker's tag grammar: what a registry would accept at all, whatever the configured pattern says.
_DOCKER_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_WHOLE_NUMBER = re.compile(r"[0-9]{1,6}")

# Why a request is not carried out automatically (the escalation comment explains each).
UNSUPPORTED = "unsupported"  # not one of CHANGE_KINDS
NOT_CONFIGURED = "not-configured"  # the service has no stack, vars file or bound for this kind
INVALID = "invalid"  # the value cannot be read as this kind
OUT_OF_BOUNDS = "out-of-bounds"


@dataclass(frozen=True)
class LimitCheck:
    ok: bool
    reasons: tuple[str, ...]
    problem: str = ""  # one of the constants above when not ok
    value: Any = None  # the JSON value to write: int for replicas, text otherwise
    shown: str = ""  # the value as people read it: 3, 2Gi, 500m, 1.27.3
    bounds: str = ""  # the configured bounds, for the comment: "1 to 4"


def check_request(request: ChangeRequest, service: Service | None) -> LimitCheck:
    kinds = {kind.key: kind for kind in CHANGE_KINDS}
    if request.kind not in kinds:
        return LimitCheck(False, (f"{request.kind!r} is not a change the responder can make",), UNSUPPORTED)
    if service is None:
        return LimitCheck(False, (f"{request.service!r} is not a service in responder.yml",), NOT_CONFIGURED)
    target = service.terraform
    if target is None or not target.vars_file:
        return LimitCheck(False, (f"{service.name} has no Terraform stack and vars file in responder.yml "
                                  "(services[].terraform.stack and vars_file)",), NOT_CONFIGURED)
    checker = {
        "replicas": _replicas,
        "memory_limit": _memory,
        "memory_request": _memory,
        "cpu_limit": _cpu,
        "cpu_request": _cpu,
        "image_tag": _image_tag,
    }[request.kind]
    return checker(request, service.name, target.limits)


def check_against_current(kind: str, value: Any, current: Mapping[str, Any]) -> tuple[str, ...]:
    """A request above its limit, or a limit below its request, which Kubernetes would refuse."""
    pairs = {"memory_request": ("memory_limit", quantities.parse_memory, "above"),
             "memory_limit": ("memory_request", quantities.parse_memory, "below"),
             "cpu_request": ("cpu_limit", quantities.parse_cpu, "above"),
             "cpu_limit": ("cpu_request", quantities.parse_cpu, "below")}
    if kind not in pairs or pairs[kind][0] not in current:
        return ()
    other, parse, wrong = pairs[kind]
    try:
        mine, theirs = parse(value), parse(current[other])
    except QuantityError:
        return ()
    if (wrong == "above" and mine > theirs) or (wrong == "below" and mine < theirs):
        return (f"{_words(kind)} {mine} would be {wrong} the {_words(other)} {theirs}, which Kubernetes refuses",)
    return ()


def _replicas(request: ChangeRequest, service: str, limits: Mapping[str, Any]) -> LimitCheck:
    text = request.value.strip()
    if not _WHOLE_NUMBER.fullmatch(text):
        return LimitCheck(False, (f"{text!r} is not a whole number of replicas",), INVALID)
    count = int(text)
    bounds = limits.get("replicas")
    if not bounds:
        return _unbounded(service, "replicas")
    low, high = int(bounds[0]), int(bounds[1])
    shown_bounds = f"{low} to {high}"
    if count < low or count > high:
        side = f"below the minimum of {low}" if count < low else f"above the maximum of {high}"
        return LimitCheck(False, (f"{count} replicas is {side} for {service} (terraform.limits.replicas: "
                                  f"[{low}, {high}])",), OUT_OF_BOUNDS, count, str(count), shown_bounds)
    return LimitCheck(True, (f"{count} replicas is within {shown_bounds} for {service}",), "", count, str(count),
                      shown_bounds)


def _memory(request: ChangeRequest, service: str, limits: Mapping[str, Any]) -> LimitCheck:
    return _quantity(request, service, limits, "memory", quantities.parse_memory)


def _cpu(request: ChangeRequest, service: str, limits: Mapping[str, Any]) -> LimitCheck:
    return _quantity(request, service, limits, "cpu", quantities.parse_cpu)


def _quantity(request: ChangeRequest, service: str, limits: Mapping[str, Any], prefix: str,
              parse: Any) -> LimitCheck:
    words = _words(request.kind)
    try:
        wanted: Quantity = parse(request.value)
    except QuantityError as exc:
        return LimitCheck(False, (f"{words}: {exc}",), INVALID)
    if limits.get(f"{prefix}_max") is None:
        return _unbounded(service, f"{prefix}_max")
    high: Quantity = parse(limits[f"{prefix}_max"])
    low: Quantity | None = parse(limits[f"{prefix}_min"]) if limits.get(f"{prefix}_min") is not None else None
    shown_bounds = f"{low} to {high}" if low is not None else f"at most {high}"
    if wanted > high:
        return LimitCheck(False, (f"{words} {wanted} is above the maximum of {high} for {service} "
                                  f"(terraform.limits.{prefix}_max)",), OUT_OF_BOUNDS, wanted.text, wanted.text,
                          shown_bounds)
    if low is not None and wanted < low:
        return LimitCheck(False, (f"{words} {wanted} is below the minimum of {low} for {service} "
                                  f"(terraform.limits.{prefix}_min)",), OUT_OF_BOUNDS, wanted.text, wanted.text,
                          shown_bounds)
    return LimitCheck(True, (f"{words} {wanted} is within {shown_bounds} for {service}",), "", wanted.text,
                      wanted.text, shown_bounds)


def _image_tag(request: ChangeRequest, service: str, limits: Mapping[str, Any]) -> LimitCheck:
    tag = request.value.strip()
    if not _DOCKER_TAG.fullmatch(tag):
        return LimitCheck(False, (f"{tag[:60]!r} is not a valid image tag (letters, digits, '.', '_' and '-', "
                                  "at most 128)",), INVALID)
    pattern = limits.get("image_tag_pattern")
    if not pattern and request.rollback and request.replaces is not None:
        # A rollback returns to a tag the vars file's own git history held: reviewed once already.
        return LimitCheck(True, (f"image tag {tag} is the one {service} ran before {request.replaces}",), "", tag,
                          tag, "an earlier tag")
    if not pattern:
        return _unbounded(service, "image_tag_pattern")
    if not re.fullmatch(pattern, tag):
        return LimitCheck(False, (f"image tag {tag} does not match the pattern {pattern} for {service} "
                                  "(terraform.limits.image_tag_pattern)",), OUT_OF_BOUNDS, tag, tag,
                          f"matching {pattern}")
    return LimitCheck(True, (f"image tag {tag} matches {pattern} for {service}",), "", tag, tag,
                      f"matching {pattern}")


def _unbounded(service: str, key: str) -> LimitCheck:
    return LimitCheck(False, (f"{service} sets no bound for this change (terraform.limits.{key}); automated "
                              "changes need one",), NOT_CONFIGURED)


def _words(kind: str) -> str:
    for change_kind in CHANGE_KINDS:
        if change_kind.key == kind:
            return change_kind.option.lower()
    return kind.replace("_", " ")
