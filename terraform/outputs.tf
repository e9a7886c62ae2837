# What a person (and scripts/deploy.sh) needs after an apply. No output holds a key: the plain key
# never enters Terraform, so the connector URL with its secret path is printed by deploy.sh instead.

output "function_url" {
  description = "The Lambda function URL (ends with \"/\")."
  value       = aws_lambda_function_url.this.function_url
}

output "endpoint_url" {
  description = "The MCP endpoint; clients send the API key as `Authorization: Bearer <key>`."
  value       = "${aws_lambda_function_url.this.function_url}mcp"
}

output "connector_url_template" {
  description = "The connector URL for clients that cannot send headers (Claude's custom connectors): replace <YOUR-API-KEY>. `make deploy` prints it filled in."
  value       = "${aws_lambda_function_url.this.function_url}mcp/<YOUR-API-KEY>"
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
