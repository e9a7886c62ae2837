# The memory table. Its key schema and TTL attribute come from src/dynamodb/table.json, the one source
# the store, the local server and the tests read too.

locals {
  table      = jsondecode(file("${path.module}/../src/dynamodb/table.json"))
  table_name = coalesce(var.table_name, var.name)
}

resource "aws_dynamodb_table" "this" {
  name = local.table_name

  # On demand: a personal memory store is idle most of the day, and pays per request.
  billing_mode = "PAY_PER_REQUEST"

  hash_key  = local.table.partitionKey.name
  range_key = local.table.sortKey.name

  attribute {
    name = local.table.partitionKey.name
    type = local.table.partitionKey.type
  }

  attribute {
    name = local.table.sortKey.name
    type = local.table.sortKey.type
  }

  ttl {
    attribute_name = local.table.ttlAttribute
    enabled        = true
  }

  # Restore to any second of the last 35 days after a bad write or a bug.
  point_in_time_recovery {
    enabled = true
  }

  # DynamoDB encrypts every table at rest. With enabled = false it does so with an AWS owned key, at no
  # cost; enabled = true without a key ARN would switch to the AWS managed key (aws/dynamodb), which
  # bills KMS requests for no gain here. So: AWS owned key by default, the customer managed key when
  # var.kms_key_arn names one.
  server_side_encryption {
    enabled     = var.kms_key_arn != null
    kms_key_arn = var.kms_key_arn
  }

  # The table holds every memory: refuse DeleteTable, including from `terraform destroy`.
  deletion_protection_enabled = var.deletion_protection
}
