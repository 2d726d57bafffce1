# Immich's Deployment: what the responder may scale, resize and re-tag.
#
# terraform_data stands in for the kubernetes_deployment_v1 a real stack
# declares, so this example runs anywhere: no cluster, no provider download.
# The variables and the vars file have the real shape; the responder edits
# immich.auto.tfvars.json and nothing else.

terraform {
  required_version = ">= 1.5"
}

variable "replicas" {
  type = number
}

variable "image_tag" {
  type = string
}

variable "memory_request" {
  type = string
}

variable "memory_limit" {
  type = string
}

variable "cpu_request" {
  type = string
}

variable "cpu_limit" {
  type = string
}

resource "terraform_data" "deployment" {
  input = {
    namespace = "immich"
    name      = "immich-server"
    image     = "ghcr.io/immich-app/immich-server:${var.image_tag}"
    replicas  = var.replicas
    resources = {
      requests = { memory = var.memory_request, cpu = var.cpu_request }
      limits   = { memory = var.memory_limit, cpu = var.cpu_limit }
    }
  }
}

output "deployment" {
  value = terraform_data.deployment.output
}
