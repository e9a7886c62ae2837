# The function's role: exactly the DynamoDB item actions the code sends, on this table only, and log
# writes to its own log group only. No AWSLambdaBasicExecutionRole: it grants logs on every log group.

locals {
  # Exactly the IAM actions behind the commands the code sends: the memory store (src/dynamodb/memory-store.ts,
  # DYNAMODB_COMMANDS_USED = BatchGetItem, GetItem, Query, TransactWriteItems, UpdateItem; BatchGetItem
  # fetches a search's hits in one request) and the OAuth server
  # (src/dynamodb/oauth-store.ts, OAUTH_DYNAMODB_COMMANDS_USED = DeleteItem, GetItem, PutItem, Query, UpdateItem
  # on its OAUTH#... items in this same table):
  #   BatchGetItem, GetItem, Query, UpdateItem -> the action of the same name
  #   TransactWriteItems          -> no action of its own: each operation inside a transaction is
  #     authorised as its item action ("Using IAM with DynamoDB transactions",
  #     https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
  #     The store's transactions hold Put, Update and Delete -> PutItem, UpdateItem, DeleteItem; a
  #     ConditionCheck operation would need dynamodb:ConditionCheckItem, which is not granted today.
  # CreateTable and DescribeTable (ensureTable) run only against the local database: not granted.
  # test/infra/iam-crosscheck.test.ts holds this list against the code.
  dynamodb_actions = [
    "dynamodb:BatchGetItem",
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
  ]

  # The table, plus each of its indexes by name should one be added (Query on an index is authorised
  # on "<table arn>/index/<name>"). The table has none today.
  dynamodb_resources = concat(
    [aws_dynamodb_table.this.arn],
    [for index in aws_dynamodb_table.this.global_secondary_index : "${aws_dynamodb_table.this.arn}/index/${index.name}"],
    [for index in aws_dynamodb_table.this.local_secondary_index : "${aws_dynamodb_table.this.arn}/index/${index.name}"],
  )
}

data "aws_iam_policy_document" "assume_role" {
  statement {
    sid     = "LambdaAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = var.name
  description        = "Role of the ${local.function_name} Lambda function (memory-mcp-lambda)"
  assume_role_policy = data.aws_iam_policy_document.assume_role.json
}

data "aws_region" "current" {}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "MemoryTableItems"
    effect    = "Allow"
    actions   = local.dynamodb_actions
    resources = local.dynamodb_resources
  }

  # Log streams of the function's own log group; the group itself is created by Terraform (main.tf).
  statement {
    sid       = "OwnLogGroup"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  # Only with a customer managed key: DynamoDB uses the key on behalf of the caller, so the caller needs
  # these actions unless the key policy grants them itself. kms:ViaService keeps them usable only
  # through DynamoDB in this region.
  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [var.kms_key_arn]

    content {
      sid       = "TableKeyViaDynamoDB"
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["dynamodb.${data.aws_region.current.name}.amazonaws.com"]
      }
    }
  }
}

# Inline, not a managed policy: it belongs to this role alone and goes away with it.
resource "aws_iam_role_policy" "this" {
  name   = "memory-table-and-own-logs"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}
