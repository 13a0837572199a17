# The seed's account already has the `tenant-registrations` table and the `tenant-registration`
# function (README, "Adopting the existing registration system"). With
# adopt_existing_registration = true (production.tfvars) these import blocks bring them under
# this configuration instead of creating them, so the first apply neither collides with them
# ("already exists") nor replaces them: the table keeps its items, the function its name and
# ARN (its code, role and settings become the ones configured here, updated in place).
#
# Review the first plan: it must read "N to import ... 0 to destroy". A table whose key is not
# `tenant_id` cannot be adopted (the registration Lambda writes items keyed by tenant_id), and
# Terraform would plan to replace it; the precondition on the table refuses that plan instead.

locals {
  # One key or none: import blocks with for_each are how an import is made conditional.
  adopt = var.adopt_existing_registration ? toset(["existing"]) : toset([])
}

import {
  for_each = local.adopt
  to       = aws_dynamodb_table.tenant_registrations
  id       = var.registrations_table_name
}

import {
  for_each = local.adopt
  to       = aws_lambda_function.tenant_registration
  id       = local.function_names.registration
}

# The function's log group exists once it has logged anything; without it, the group is
# created here as for the other functions.
data "aws_cloudwatch_log_groups" "existing_registration" {
  count                 = var.adopt_existing_registration ? 1 : 0
  log_group_name_prefix = "/aws/lambda/${local.function_names.registration}"
}

import {
  for_each = var.adopt_existing_registration ? toset([
    for name in data.aws_cloudwatch_log_groups.existing_registration[0].log_group_names : name
    if name == "/aws/lambda/${local.function_names.registration}"
  ]) : toset([])
  to = aws_cloudwatch_log_group.lambda["registration"]
  id = each.value
}

# What an adopted table must already be: replacing it would delete every registration.
data "aws_dynamodb_table" "existing_registrations" {
  count = var.adopt_existing_registration ? 1 : 0
  name  = var.registrations_table_name

  lifecycle {
    postcondition {
      condition     = self.hash_key == "tenant_id" && (self.range_key == null || self.range_key == "")
      error_message = "The existing table ${var.registrations_table_name} is not keyed by tenant_id alone (hash key ${self.hash_key}): adopting it would replace it and lose its items. Migrate it first, or set registrations_table_name to a new table."
    }
  }
}
