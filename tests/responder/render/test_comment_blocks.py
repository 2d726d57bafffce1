"""Named blocks in the responder's comment are replaced in place; the state marker stays last."""

from __future__ import annotations

from responder.model.state import IssueState, read_marker, render_marker
from responder.render.comment_blocks import block, splice, split_state, with_state

BODY = "### Heading\n\nText.\n\n<sub>🤖 footer</sub>\n\n" + render_marker(IssueState(outcome="escalated"))


def test_a_new_block_goes_before_the_footer_and_the_marker_stays_last() -> None:
    body = splice(BODY, "update", "#### Latest update\n\n- one")
    content, marker = split_state(body)
    assert content.index("#### Latest update") < content.index("<sub>🤖 footer</sub>")
    assert marker.strip().startswith("<!-- issueops-responder:state ")
    assert block(body, "update") == "#### Latest update\n\n- one"


def test_a_block_is_replaced_not_repeated() -> None:
    body = splice(splice(BODY, "update", "first"), "update", "second")
    assert body.count("<!-- issueops-responder:block:update -->") == 1
    assert block(body, "update") == "second"
    assert "first" not in body


def test_the_state_is_swapped() -> None:
    body = with_state(BODY, IssueState(outcome="fixed"))
    state = read_marker(body)
    assert state is not None and state.outcome == "fixed"
    assert body.count("issueops-responder:state") == 1
