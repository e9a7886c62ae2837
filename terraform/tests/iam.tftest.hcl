# Pins down the function's permissions: who may assume the role, exactly which DynamoDB actions on
# which ARNs, log writes to its own log group only, and KMS only with a customer managed key.
# Assertions read the policy documents' statement blocks (what this module declares); the mocked
# provider does not render their JSON.

mock_provider "aws" {
  override_during = plan
  source          = "./tests/mocks"
}

variables {
  lambda_zip_path = "tests/fixtures/placeholder.zip"
  api_key_sha256s = ["fb70a93b69c9577a98c3bfa0924ccdc33cbca2988dd72a5ebee6512c0551e6fa"]
}

run "role_is_assumed_by_lambda_only" {
  command = plan

  assert {
    condition = (
      length(data.aws_iam_policy_document.assume_role.statement) == 1 &&
      data.aws_iam_policy_document.assume_role.statement[0].actions == toset(["sts:AssumeRole"]) &&
      data.aws_iam_policy_document.assume_role.statement[0].principals == toset([
        { type = "Service", identifiers = toset(["lambda.amazonaws.com"]) },
      ])
    )
    error_message = "Only the Lambda service should be able to assume the role."
  }

  assert {
    condition     = aws_iam_role_policy.this.role == aws_iam_role.this.id
    error_message = "The policy should be attached to the function's role."
  }
}

run "policy_grants_exactly_the_store_and_log_actions" {
  command = plan

  assert {
    condition     = length(data.aws_iam_policy_document.this.statement) == 2
    error_message = "Without a customer managed key the policy should have two statements: the table and the log group."
  }

  assert {
    condition = data.aws_iam_policy_document.this.statement[0].actions == toset([
      "dynamodb:BatchGetItem",
      "dynamodb:DeleteItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
    ])
    error_message = "The table statement should grant exactly the item actions the store uses (TransactWriteItems is authorised per operation: Put, Update, Delete)."
  }

  assert {
    condition     = data.aws_iam_policy_document.this.statement[0].resources == toset(["arn:aws:dynamodb:eu-west-1:123456789012:table/memory-mcp"])
    error_message = "DynamoDB actions should be granted on the module's table only (no index exists)."
  }

  assert {
    condition     = alltrue([for statement in data.aws_iam_policy_document.this.statement : statement.effect == "Allow" && length(coalesce(statement.not_actions, [])) == 0 && length(coalesce(statement.not_resources, [])) == 0])
    error_message = "Every statement should be an explicit Allow of listed actions on listed resources (no NotAction or NotResource)."
  }

  assert {
    condition     = data.aws_iam_policy_document.this.statement[1].actions == toset(["logs:CreateLogStream", "logs:PutLogEvents"])
    error_message = "The log statement should grant only logs:CreateLogStream and logs:PutLogEvents."
  }

  assert {
    condition     = data.aws_iam_policy_document.this.statement[1].resources == toset(["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/memory-mcp:*"])
    error_message = "Log writes should be granted on the function's own log group only."
  }

  assert {
    condition = alltrue([
      for statement in data.aws_iam_policy_document.this.statement :
      alltrue([for action in statement.actions : !contains(["dynamodb:CreateTable", "dynamodb:DescribeTable", "dynamodb:DeleteTable", "dynamodb:Scan", "dynamodb:*", "logs:CreateLogGroup", "*"], action)])
    ])
    error_message = "No local-only (CreateTable, DescribeTable), destructive, scanning or wildcard action may be granted."
  }

  assert {
    condition     = alltrue([for statement in data.aws_iam_policy_document.this.statement : !contains(statement.resources, "*")])
    error_message = "No statement may grant on resource *."
  }
}

run "customer_managed_key_adds_kms_via_dynamodb" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
  }

  assert {
    condition     = length(data.aws_iam_policy_document.this.statement) == 3
    error_message = "A customer managed key should add one statement."
  }

  assert {
    condition = (
      data.aws_iam_policy_document.this.statement[2].resources == toset(["arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"]) &&
      data.aws_iam_policy_document.this.statement[2].condition == toset([
        { test = "StringEquals", variable = "kms:ViaService", values = tolist(["dynamodb.eu-west-1.amazonaws.com"]) },
      ])
    )
    error_message = "KMS use should be granted on that key only, and only via DynamoDB in this region."
  }
}
