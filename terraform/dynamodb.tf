# tenants: one item per tenant, keyed by tenant_id (the Lambdas also keep `#subdomain/<name>`
# claim items and a listener-priority counter item here). The subdomain index answers "which
# tenant has this subdomain" for operators and tools; claim items carry no subdomain
# attribute, so the index holds tenants only. The stream
# (new and old images) carries every status change to whoever subscribes.
resource "aws_dynamodb_table" "tenants" {
  name                        = var.tenants_table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "tenant_id"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "tenant_id"
    type = "S"
  }

  attribute {
    name = "subdomain"
    type = "S"
  }

  global_secondary_index {
    name            = "subdomain-index"
    hash_key        = "subdomain"
    projection_type = "ALL"
  }

  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"

  point_in_time_recovery {
    enabled = true
  }

  # Encrypted with the AWS-managed DynamoDB KMS key (aws/dynamodb) rather than the default
  # AWS-owned key, so key use shows up in CloudTrail.
  server_side_encryption {
    enabled = true
  }
}

# tenant-registrations: one item per registration, keyed by the tenant it created (the
# registration Lambda writes it in the same transaction as the tenant).
resource "aws_dynamodb_table" "tenant_registrations" {
  name                        = var.registrations_table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "tenant_id"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "tenant_id"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }
}
