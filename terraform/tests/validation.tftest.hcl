# Pins down that values which would deploy something broken are refused at plan time, and that the
# edge values which are fine are accepted.

mock_provider "aws" {
  override_during = plan
  source          = "./tests/mocks"
}

variables {
  lambda_zip_path = "tests/fixtures/placeholder.zip"
  api_key_sha256s = ["fb70a93b69c9577a98c3bfa0924ccdc33cbca2988dd72a5ebee6512c0551e6fa"]
}

run "rejects_a_plain_key_instead_of_a_digest" {
  command = plan

  variables {
    api_key_sha256s = ["my-plain-secret-key"]
  }

  expect_failures = [var.api_key_sha256s]
}

run "rejects_uppercase_digests" {
  command = plan

  variables {
    api_key_sha256s = ["FB70A93B69C9577A98C3BFA0924CCDC33CBCA2988DD72A5EBEE6512C0551E6FA"]
  }

  expect_failures = [var.api_key_sha256s]
}

run "rejects_no_digest" {
  command = plan

  variables {
    api_key_sha256s = []
  }

  expect_failures = [var.api_key_sha256s]
}

run "rejects_a_missing_zip" {
  command = plan

  variables {
    lambda_zip_path = "tests/fixtures/does-not-exist.zip"
  }

  expect_failures = [var.lambda_zip_path]
}

run "rejects_memory_below_128" {
  command = plan

  variables {
    memory_size = 64
  }

  expect_failures = [var.memory_size]
}

run "rejects_memory_above_10240" {
  command = plan

  variables {
    memory_size = 10241
  }

  expect_failures = [var.memory_size]
}

run "rejects_an_unknown_architecture" {
  command = plan

  variables {
    architecture = "arm"
  }

  expect_failures = [var.architecture]
}

run "rejects_an_older_runtime" {
  command = plan

  variables {
    runtime = "nodejs20.x"
  }

  expect_failures = [var.runtime]
}

run "rejects_a_non_node_runtime" {
  command = plan

  variables {
    runtime = "python3.13"
  }

  expect_failures = [var.runtime]
}

run "rejects_a_timeout_below_3" {
  command = plan

  variables {
    timeout = 1
  }

  expect_failures = [var.timeout]
}

run "rejects_a_timeout_above_60" {
  command = plan

  variables {
    timeout = 900
  }

  expect_failures = [var.timeout]
}

run "rejects_zero_reserved_concurrency" {
  command = plan

  variables {
    reserved_concurrency = 0
  }

  expect_failures = [var.reserved_concurrency]
}

run "rejects_a_retention_cloudwatch_refuses" {
  command = plan

  variables {
    log_retention_days = 10
  }

  expect_failures = [var.log_retention_days]
}

run "rejects_an_empty_origin_list" {
  command = plan

  variables {
    allowed_origins = []
  }

  expect_failures = [var.allowed_origins]
}

run "rejects_an_origin_with_a_path_or_comma" {
  command = plan

  variables {
    allowed_origins = ["https://claude.ai/chat", "https://a.example,https://b.example"]
  }

  expect_failures = [var.allowed_origins]
}

run "rejects_a_kms_alias" {
  command = plan

  variables {
    kms_key_arn = "alias/aws/dynamodb"
  }

  expect_failures = [var.kms_key_arn]
}

run "rejects_a_bad_name" {
  command = plan

  variables {
    name = "memory mcp"
  }

  expect_failures = [var.name]
}

run "accepts_the_edges" {
  command = plan

  variables {
    memory_size          = 10240
    timeout              = 60
    reserved_concurrency = 1
    log_retention_days   = 0
    allowed_origins      = ["https://claude.ai/", "https://*.claude.ai", "http://localhost:*", "http://[::1]:8080"]
  }

  assert {
    condition     = aws_lambda_function.this.memory_size == 10240 && aws_lambda_function.this.timeout == 60
    error_message = "The largest memory_size and timeout should be accepted."
  }
}

run "rejects_a_public_base_url_with_a_path_or_plain_http" {
  command = plan

  variables {
    public_base_url = "http://memory.example.com/mcp"
  }

  expect_failures = [var.public_base_url]
}
