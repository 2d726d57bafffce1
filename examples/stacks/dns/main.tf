# DNS records people ask for through platform requests, inside the allowed zones.
#
# terraform_data stands in for the DNS provider's record resources a real stack declares
# (hashicorp/dns: dns_a_record_set, dns_aaaa_record_set and dns_cname_record, updating the
# zone with RFC 2136), so this example plans and applies anywhere. Each record is keyed by
# its name, type and value: adding one creates one resource and moves no other.
# The responder appends to dns.auto.tfvars.json and edits nothing else.

terraform {
  required_version = ">= 1.5"
}

variable "records" {
  description = "Records: a full name inside one of the zones, a type (A, AAAA, CNAME) and a value."
  type        = list(object({ name = string, type = string, value = string }))
}

variable "ttl" {
  type    = number
  default = 300
}

locals {
  records = { for record in var.records : "${record.name} ${record.type} ${record.value}" => record }
}

resource "terraform_data" "record" {
  for_each = local.records

  input = {
    name  = each.value.name
    type  = each.value.type
    value = each.value.value
    ttl   = var.ttl
  }
}

output "records" {
  value = [for key, record in terraform_data.record : "${record.output.name} ${record.output.type} ${record.output.value}"]
}
