# What a person (and scripts/deploy.sh) needs after an apply. No output holds a key: the plain key
# never enters Terraform, so the connector URL with its secret path is printed by deploy.sh instead.

output "function_url" {
  description = "The Lambda function URL (ends with \"/\")."
  value       = aws_lambda_function_url.this.function_url
}

locals {
  public_base = var.public_base_url != null ? var.public_base_url : trimsuffix(aws_lambda_function_url.this.function_url, "/")
}

output "endpoint_url" {
  description = "The MCP endpoint. Paste it as is (no key) into claude.ai's custom connector dialog: Claude signs in with OAuth. curl and Claude Code send the API key as `Authorization: Bearer <key>`."
  value       = "${local.public_base}/mcp"
}

output "oauth_metadata_url" {
  description = "OAuth protected resource metadata (RFC 9728) that clients discover from the endpoint's 401; open it to check what Claude sees."
  value       = "${local.public_base}/.well-known/oauth-protected-resource/mcp"
}

output "connector_url_template" {
  description = "Legacy fallback: the API key in the URL path, for clients that take only a URL and cannot do OAuth (replace <YOUR-API-KEY>). Claude's apps should use endpoint_url."
  value       = "${local.public_base}/mcp/<YOUR-API-KEY>"
}

output "function_name" {
  description = "Name of the Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "table_name" {
  description = "Name of the DynamoDB table holding the memories."
  value       = aws_dynamodb_table.this.name
}

output "log_group_name" {
  description = "CloudWatch log group of the function (one JSON line per request)."
  value       = aws_cloudwatch_log_group.this.name
}
