# Pins down the memory table: key schema and TTL from src/dynamodb/table.json, on-demand billing,
# point-in-time recovery, deletion protection and encryption at rest.

mock_provider "aws" {
  override_during = plan
  source          = "./tests/mocks"
}

variables {
  lambda_zip_path = "tests/fixtures/placeholder.zip"
  api_key_sha256s = ["fb70a93b69c9577a98c3bfa0924ccdc33cbca2988dd72a5ebee6512c0551e6fa"]
}

run "table_defaults" {
  command = plan

  assert {
    condition     = aws_dynamodb_table.this.name == "memory-mcp"
    error_message = "The table should be named after var.name by default."
  }

  assert {
    condition     = aws_dynamodb_table.this.billing_mode == "PAY_PER_REQUEST"
    error_message = "The table should bill on demand (PAY_PER_REQUEST)."
  }

  assert {
    condition     = aws_dynamodb_table.this.point_in_time_recovery[0].enabled == true
    error_message = "Point-in-time recovery should be enabled."
  }

  assert {
    condition     = aws_dynamodb_table.this.deletion_protection_enabled == true
    error_message = "Deletion protection should be on by default."
  }

  assert {
    # enabled = false is DynamoDB's encryption at rest with the AWS owned key (free); true without a
    # key ARN would be the billed AWS managed key.
    condition     = aws_dynamodb_table.this.server_side_encryption[0].enabled == false
    error_message = "Without kms_key_arn the table should be encrypted with the AWS owned key (enabled = false)."
  }
}

run "key_schema_and_ttl_come_from_table_json" {
  command = plan

  assert {
    condition     = aws_dynamodb_table.this.hash_key == jsondecode(file("../src/dynamodb/table.json")).partitionKey.name
    error_message = "hash_key should be table.json's partitionKey.name."
  }

  assert {
    condition     = aws_dynamodb_table.this.range_key == jsondecode(file("../src/dynamodb/table.json")).sortKey.name
    error_message = "range_key should be table.json's sortKey.name."
  }

  assert {
    condition = aws_dynamodb_table.this.attribute == toset([
      {
        name = jsondecode(file("../src/dynamodb/table.json")).partitionKey.name
        type = jsondecode(file("../src/dynamodb/table.json")).partitionKey.type
      },
      {
        name = jsondecode(file("../src/dynamodb/table.json")).sortKey.name
        type = jsondecode(file("../src/dynamodb/table.json")).sortKey.type
      },
    ])
    error_message = "The table should define exactly the key attributes of table.json, with their types."
  }

  assert {
    condition     = aws_dynamodb_table.this.ttl[0].attribute_name == jsondecode(file("../src/dynamodb/table.json")).ttlAttribute
    error_message = "TTL should use table.json's ttlAttribute."
  }

  assert {
    condition     = aws_dynamodb_table.this.ttl[0].enabled == true
    error_message = "TTL should be enabled."
  }

  assert {
    condition     = length(aws_dynamodb_table.this.global_secondary_index) == 0 && length(aws_dynamodb_table.this.local_secondary_index) == 0
    error_message = "The table has no index today; the IAM policy grants index ARNs only for declared indexes."
  }
}

run "customer_managed_key" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
  }

  assert {
    condition = (
      aws_dynamodb_table.this.server_side_encryption[0].enabled == true &&
      aws_dynamodb_table.this.server_side_encryption[0].kms_key_arn == "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
    )
    error_message = "With kms_key_arn the table should be encrypted with that key."
  }
}

run "overrides" {
  command = plan

  variables {
    table_name          = "my-memories"
    deletion_protection = false
  }

  assert {
    condition     = aws_dynamodb_table.this.name == "my-memories" && aws_dynamodb_table.this.deletion_protection_enabled == false
    error_message = "table_name and deletion_protection should reach the table."
  }
}
