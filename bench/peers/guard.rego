# The peer of `responder guard` in bench-peers: the same three rules over the same plan JSON, in OPA's
# Rego, evaluated by regopy (rego-cpp): no deletes (a replace deletes too), at most max_changes resources
# changed, and no resource of a protected type touched. The responder's own guard checks much more
# (stacks, Helm charts, manifest kinds, imports, moves, deferred changes, completeness, masking).
package guard

import rego.v1

# The policy's numbers and globs come as data (bench/peers.py writes the responder's defaults).
max_changes := data.policy.max_changes

protected_types := data.policy.protected_resource_types

# The addresses of the resources the plan changes (no-ops and reads left out).
changes contains rc.address if {
	some rc in input.resource_changes
	changing(rc)
}

changing(rc) if {
	not rc.change.actions == ["no-op"]
	not rc.change.actions == ["read"]
}

deny contains sprintf("the plan would delete %s", [rc.address]) if {
	some rc in input.resource_changes
	"delete" in rc.change.actions
}

deny contains sprintf("%d resources would change (at most %d)", [count(changes), max_changes]) if {
	count(changes) > max_changes
}

deny contains sprintf("%s is of a protected type", [rc.address]) if {
	some rc in input.resource_changes
	changing(rc)
	some pattern in protected_types
	glob.match(pattern, [], rc.type)
}

allowed if count(deny) == 0
