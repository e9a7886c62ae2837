# Pins down the function, its URL, its permission and its log group as planned with the defaults, and
# what each optional input changes. Mocked provider: no credentials, nothing is created.

mock_provider "aws" {
  # Mocked computed values (ARNs, the function URL) are known at plan time, so plan runs can assert on them.
  override_during = plan
  source          = "./tests/mocks"
}

variables {
  # Any file will do: filebase64sha256 only hashes its bytes, and nothing is uploaded.
  lambda_zip_path = "tests/fixtures/placeholder.zip"
  # sha256("example-key-one") and sha256("example-key-two").
  api_key_sha256s = ["fb70a93b69c9577a98c3bfa0924ccdc33cbca2988dd72a5ebee6512c0551e6fa"]
}

run "function_defaults" {
  command = plan

  assert {
    condition     = aws_lambda_function.this.function_name == "memory-mcp"
    error_message = "The function should be named after var.name (default memory-mcp)."
  }

  assert {
    condition     = aws_lambda_function.this.memory_size == 128
    error_message = "memory_size should default to 128 MB."
  }

  assert {
    condition     = aws_lambda_function.this.architectures == tolist(["arm64"])
    error_message = "The function should run on arm64 by default."
  }

  assert {
    condition     = aws_lambda_function.this.runtime == "nodejs22.x"
    error_message = "The runtime should default to nodejs22.x."
  }

  assert {
    condition     = aws_lambda_function.this.handler == "index.handler"
    error_message = "The handler should be index.handler (dist/lambda.zip holds index.mjs exporting handler)."
  }

  assert {
    condition     = aws_lambda_function.this.timeout == 10
    error_message = "timeout should default to 10 seconds."
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == 5
    error_message = "reserved_concurrent_executions should equal var.reserved_concurrency (default 5)."
  }

  assert {
    condition     = aws_lambda_function.this.filename == "tests/fixtures/placeholder.zip"
    error_message = "The function should deploy the zip named by var.lambda_zip_path."
  }

  assert {
    condition     = aws_lambda_function.this.source_code_hash == filebase64sha256("tests/fixtures/placeholder.zip")
    error_message = "source_code_hash should be the zip's base64 SHA-256, so a rebuilt zip redeploys."
  }

  assert {
    condition     = aws_lambda_function.this.role == "arn:aws:iam::123456789012:role/memory-mcp"
    error_message = "The function should run with the module's own role."
  }

  assert {
    condition     = aws_lambda_function.this.logging_config[0].log_format == "Text"
    error_message = "Logs should use the Text format (the code writes its own JSON lines)."
  }

  assert {
    condition     = aws_lambda_function.this.logging_config[0].log_group == "/aws/lambda/memory-mcp"
    error_message = "The function should log to the log group this module creates."
  }
}

run "environment_holds_digests_only" {
  command = plan

  variables {
    api_key_sha256s = [
      "fb70a93b69c9577a98c3bfa0924ccdc33cbca2988dd72a5ebee6512c0551e6fa",
      "978dc54894a57a043a4cf1721269e00ecb87a78dd154a78bca36d0c212c0f720",
    ]
  }

  assert {
    condition     = toset(nonsensitive(keys(aws_lambda_function.this.environment[0].variables))) == toset(["MCP_API_KEY_SHA256", "TABLE_NAME", "TOOL_DEADLINE_MS"])
    error_message = "The environment should hold exactly TABLE_NAME, MCP_API_KEY_SHA256 and TOOL_DEADLINE_MS by default (no MCP_ALLOWED_ORIGINS, no NODE_OPTIONS, never a plain key)."
  }

  assert {
    condition     = nonsensitive(aws_lambda_function.this.environment[0].variables["MCP_API_KEY_SHA256"]) == "fb70a93b69c9577a98c3bfa0924ccdc33cbca2988dd72a5ebee6512c0551e6fa,978dc54894a57a043a4cf1721269e00ecb87a78dd154a78bca36d0c212c0f720"
    error_message = "MCP_API_KEY_SHA256 should be the digests joined by commas, in order."
  }

  assert {
    condition     = can(regex("^[0-9a-f]{64}(,[0-9a-f]{64})*$", nonsensitive(aws_lambda_function.this.environment[0].variables["MCP_API_KEY_SHA256"])))
    error_message = "MCP_API_KEY_SHA256 should consist of hex digests and commas only."
  }

  assert {
    condition     = nonsensitive(aws_lambda_function.this.environment[0].variables["TABLE_NAME"]) == aws_dynamodb_table.this.name
    error_message = "TABLE_NAME should name the module's table."
  }
}

run "allowed_origins_reach_the_environment" {
  command = plan

  variables {
    allowed_origins = ["https://claude.ai", "https://*.claude.ai"]
  }

  assert {
    condition     = nonsensitive(aws_lambda_function.this.environment[0].variables["MCP_ALLOWED_ORIGINS"]) == "https://claude.ai,https://*.claude.ai"
    error_message = "MCP_ALLOWED_ORIGINS should be allowed_origins joined by commas."
  }
}

run "public_base_url_reaches_the_environment_and_outputs" {
  command = plan

  variables {
    public_base_url = "https://memory.example.com"
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables["PUBLIC_BASE_URL"] == "https://memory.example.com"
    error_message = "PUBLIC_BASE_URL should be public_base_url: it is the OAuth issuer and token audience."
  }

  assert {
    condition     = output.endpoint_url == "https://memory.example.com/mcp" && output.oauth_metadata_url == "https://memory.example.com/.well-known/oauth-protected-resource/mcp"
    error_message = "With a custom domain the outputs should name it, not the function URL."
  }
}

run "overrides_reach_the_function" {
  command = plan

  variables {
    name                 = "memories-test"
    memory_size          = 256
    architecture         = "x86_64"
    timeout              = 20
    reserved_concurrency = 2
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables["TOOL_DEADLINE_MS"] == "18000"
    error_message = "TOOL_DEADLINE_MS should follow the timeout (20 s less 2 s)."
  }

  assert {
    condition = (
      aws_lambda_function.this.function_name == "memories-test" &&
      aws_lambda_function.this.memory_size == 256 &&
      aws_lambda_function.this.architectures == tolist(["x86_64"]) &&
      aws_lambda_function.this.timeout == 20 &&
      aws_lambda_function.this.reserved_concurrent_executions == 2
    )
    error_message = "name, memory_size, architecture, timeout and reserved_concurrency should reach the function."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/memories-test" && aws_iam_role.this.name == "memories-test"
    error_message = "The log group and role should follow var.name."
  }
}

run "unreserved_concurrency_as_minus_one" {
  command = plan

  variables {
    reserved_concurrency = -1
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == -1
    error_message = "reserved_concurrency = -1 should leave the function unreserved (-1)."
  }
}

run "unreserved_concurrency_as_null" {
  command = plan

  variables {
    reserved_concurrency = null
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == -1
    error_message = "reserved_concurrency = null should leave the function unreserved (-1)."
  }
}

run "public_url_and_its_permission" {
  command = plan

  assert {
    condition     = aws_lambda_function_url.this.authorization_type == "NONE"
    error_message = "The function URL should have auth type NONE (the code checks the API key)."
  }

  assert {
    condition     = aws_lambda_function_url.this.invoke_mode == "BUFFERED"
    error_message = "The function URL should buffer responses."
  }

  assert {
    condition     = length(aws_lambda_function_url.this.cors) == 0
    error_message = "The function URL should have no CORS configuration (the code enforces Origin)."
  }

  assert {
    condition = (
      aws_lambda_permission.this.action == "lambda:InvokeFunction" &&
      aws_lambda_permission.this.principal == "*" &&
      aws_lambda_permission.this.function_name == aws_lambda_function.this.function_name
    )
    error_message = "Public function URLs also need lambda:InvokeFunction for principal * on the function."
  }
}

run "log_group_retention" {
  command = plan

  variables {
    log_retention_days = 14
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.retention_in_days == 14
    error_message = "Log retention should equal var.log_retention_days."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/memory-mcp"
    error_message = "The log group should be the function's default one, /aws/lambda/<name>."
  }
}

run "outputs" {
  command = plan

  assert {
    condition     = output.endpoint_url == "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/mcp"
    error_message = "endpoint_url should be the function URL followed by mcp (the URL already ends with /)."
  }

  assert {
    condition     = output.connector_url_template == "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/mcp/<YOUR-API-KEY>"
    error_message = "connector_url_template should be the endpoint followed by /<YOUR-API-KEY>."
  }

  assert {
    condition     = output.oauth_metadata_url == "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/.well-known/oauth-protected-resource/mcp"
    error_message = "oauth_metadata_url should be the RFC 9728 document of the /mcp resource."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables["TOOL_DEADLINE_MS"] == "8000"
    error_message = "A tool call's database budget should be the 10 s timeout less 2 s, so a stalled database still gets an answer."
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this.environment[0].variables), "PUBLIC_BASE_URL")
    error_message = "PUBLIC_BASE_URL should be left out when public_base_url is null (the code derives it per request)."
  }

  assert {
    condition = (
      output.function_name == "memory-mcp" &&
      output.table_name == "memory-mcp" &&
      output.log_group_name == "/aws/lambda/memory-mcp"
    )
    error_message = "function_name, table_name and log_group_name outputs should name the module's resources."
  }
}
