# The team namespaces: what self-service platform requests create and change.
#
# Each namespace gets a ResourceQuota, a LimitRange with container defaults, and one
# RoleBinding per grantable role whose subjects are the members holding that role. A grant
# or a revoke changes a binding's subjects in place: an update, never a delete.
#
# terraform_data stands in for the kubernetes provider's resources a real stack declares
# (kubernetes_namespace_v1, kubernetes_resource_quota_v1, kubernetes_limit_range_v1 and
# kubernetes_role_binding_v1, with the same inputs; the Getting started page shows that
# module), so this example plans and applies anywhere: no cluster, no provider download.
# The responder edits platform.auto.tfvars.json and nothing else.

terraform {
  required_version = ">= 1.5"
}

variable "namespaces" {
  description = "Team namespaces: the quota of each, and its members (GitHub login -> role)."
  type = map(object({
    quota   = object({ cpu = string, memory = string, pods = number })
    members = map(string)
  }))
}

variable "roles" {
  description = "The grantable roles (responder.yml: platform.namespaces.roles), each a ClusterRole bound per namespace."
  type        = list(string)
  default     = ["view", "edit"]
}

variable "identity" {
  description = "How a GitHub login is named in the cluster (responder.yml: platform.namespaces.identity)."
  type        = string
  default     = "oidc:{login}"
}

locals {
  # One binding per namespace and role, present even with no subject, so that revoking the
  # last member of a role empties it instead of deleting it.
  bindings = merge([
    for namespace, spec in var.namespaces : {
      for role in var.roles : "${namespace}/${role}" => {
        namespace = namespace
        role      = role
        subjects  = sort([for login, granted in spec.members : replace(var.identity, "{login}", login) if granted == role])
      }
    }
  ]...)
}

resource "terraform_data" "namespace" {
  for_each = var.namespaces

  input = {
    metadata = {
      name   = each.key
      labels = { "app.kubernetes.io/managed-by" = "terraform", "platform/team" = each.key }
    }
  }
}

resource "terraform_data" "resource_quota" {
  for_each   = var.namespaces
  depends_on = [terraform_data.namespace]

  input = {
    metadata = { name = "team-quota", namespace = each.key }
    spec = {
      hard = {
        "requests.cpu"    = each.value.quota.cpu
        "limits.cpu"      = each.value.quota.cpu
        "requests.memory" = each.value.quota.memory
        "limits.memory"   = each.value.quota.memory
        pods              = tostring(each.value.quota.pods)
      }
    }
  }
}

resource "terraform_data" "limit_range" {
  for_each   = var.namespaces
  depends_on = [terraform_data.namespace]

  input = {
    metadata = { name = "container-defaults", namespace = each.key }
    spec = {
      limit = [{
        type            = "Container"
        default_request = { cpu = "100m", memory = "128Mi" }
        default         = { cpu = "500m", memory = "512Mi" }
      }]
    }
  }
}

resource "terraform_data" "role_binding" {
  for_each   = local.bindings
  depends_on = [terraform_data.namespace]

  input = {
    metadata = { name = "team-${each.value.role}", namespace = each.value.namespace }
    role_ref = { api_group = "rbac.authorization.k8s.io", kind = "ClusterRole", name = each.value.role }
    subject  = [for name in each.value.subjects : { kind = "User", name = name, api_group = "rbac.authorization.k8s.io" }]
  }
}

output "namespaces" {
  value = { for name, spec in var.namespaces : name => spec.quota }
}
