# The function, its public URL and its log group. Permissions are in iam.tf, the table in dynamodb.tf.

locals {
  function_name  = var.name
  log_group_name = "/aws/lambda/${local.function_name}"

  # What the code reads (src/protocol/auth.ts, src/protocol/origins.ts, src/oauth/base-url.ts, the store).
  # MCP_ALLOWED_ORIGINS and PUBLIC_BASE_URL are left out when null, so the code's defaults apply. Only
  # digests: the plain key never reaches Terraform, its state or AWS.
  environment = {
    for name, value in {
      TABLE_NAME          = aws_dynamodb_table.this.name
      MCP_API_KEY_SHA256  = join(",", var.api_key_sha256s)
      MCP_ALLOWED_ORIGINS = var.allowed_origins == null ? null : join(",", var.allowed_origins)
      PUBLIC_BASE_URL     = var.public_base_url
      # The database budget of one tool call (src/protocol/mcp.ts): the timeout less 2 s to answer in.
      TOOL_DEADLINE_MS = tostring(max(1000, var.timeout * 1000 - 2000))
    } : name => value if value != null
  }
}

# Created here rather than by Lambda on first write, so that retention applies from the start and
# the function's role needs no logs:CreateLogGroup.
resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "this" {
  function_name = local.function_name
  description   = "memory-mcp-lambda: MCP server keeping long-term memories in DynamoDB"
  role          = aws_iam_role.this.arn

  filename         = var.lambda_zip_path
  source_code_hash = filebase64sha256(var.lambda_zip_path)
  handler          = "index.handler"
  runtime          = var.runtime
  architectures    = [var.architecture]
  memory_size      = var.memory_size
  timeout          = var.timeout

  # -1 is the provider's "no reservation"; null is accepted as a friendlier spelling of it.
  reserved_concurrent_executions = var.reserved_concurrency == null ? -1 : var.reserved_concurrency

  # NODE_OPTIONS=--enable-source-maps is left unset on purpose: it slows every stack trace and cold start.
  environment {
    variables = local.environment
  }

  # Text, not JSON: src/protocol/log.ts already writes one JSON object per line straight to stdout, which the
  # Text format passes through untouched, so Logs Insights discovers its fields. The JSON format would
  # wrap Lambda's own START/END/REPORT lines in a second JSON envelope and adds bytes to every
  # event, which CloudWatch bills per GB ingested, while its level filtering is of no use here.
  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.this.name
  }

  # The role's policy (logs and table) must exist before the first invocation, not just the role.
  depends_on = [aws_iam_role_policy.this, aws_cloudwatch_log_group.this]
}

# Public HTTPS endpoint. Authentication is the API key checked by the code (src/protocol/auth.ts), so the URL
# itself is open: IAM auth (AWS_IAM) would need SigV4 signing, which MCP clients cannot do.
# BUFFERED: every response is a complete JSON body (or one-shot SSE), so streaming gains nothing.
# No cors block: the callers are servers (Claude's connector backend, Claude Code, curl) that do not
# use CORS, and the code enforces the Origin allow-list itself; a Lambda-level CORS config would
# answer preflights before the code runs and split one rule across two places.
resource "aws_lambda_function_url" "this" {
  function_name      = aws_lambda_function.this.function_name
  authorization_type = "NONE"
  invoke_mode        = "BUFFERED"
}

# Since October 2025 a public function URL needs two resource-policy statements: lambda:InvokeFunctionUrl
# and lambda:InvokeFunction (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html).
# - lambda:InvokeFunctionUrl with lambda:FunctionUrlAuthType = NONE is added by the provider itself when
#   it creates a NONE-auth function URL (statement FunctionURLAllowPublicAccess).
# - lambda:InvokeFunction is this resource. AWS's own statement scopes it with the condition
#   lambda:InvokedViaFunctionUrl = true, which aws_lambda_permission can express only from provider 6.x
#   (argument invoked_via_function_url); 5.x cannot. Without the condition any AWS principal could call
#   Invoke directly, but the event still has to carry a valid API key, and reserved_concurrency caps
#   the cost exactly as it does for the URL. Add `invoked_via_function_url = true` on moving to 6.x.
# The statement id differs from the console's FunctionURLAllowInvokeAction so that a provider that adds
# that statement by itself cannot collide with this one.
resource "aws_lambda_permission" "this" {
  statement_id  = "AllowInvokeFunctionForPublicFunctionUrl"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "*"
}
