"""The repository's label definitions: their names, colours and descriptions (`responder labels sync`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from responder.adapters.github.transport import RepositoryAPI


class Labels(RepositoryAPI):
    """Label definition calls for one repository; putting labels on issues is `Issues`' work."""

    def list_labels(self) -> list[Mapping[str, Any]]:
        return list(self.transport.paged(f"/repos/{self.repository}/labels"))

    def create_label(self, name: str, color: str, description: str) -> None:
        self.transport.request("POST", f"/repos/{self.repository}/labels",
                               body={"name": name, "color": color, "description": description})

    def update_label(self, current_name: str, *, new_name: str, color: str, description: str) -> None:
        self.transport.request("PATCH", f"/repos/{self.repository}/labels/{quote(current_name, safe='')}",
                               body={"new_name": new_name, "color": color, "description": description})
