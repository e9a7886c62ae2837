# Inputs of the deployment. Every value that would deploy something broken is refused here, at plan
# time, with a message saying what to do instead.

variable "name" {
  description = "Name of the Lambda function and IAM role, and prefix of the log group; also the table name unless table_name is set. IAM role names are per account, not per region."
  type        = string
  default     = "memory-mcp"
  nullable    = false

  validation {
    # 48 leaves room under the 64-character limits of function and role names.
    condition     = can(regex("^[A-Za-z0-9_-]{1,48}$", var.name))
    error_message = "name must be 1-48 characters of letters, digits, '-' and '_'."
  }
}

variable "region" {
  description = "AWS region to deploy to. null takes the region from the environment (AWS_REGION, AWS_DEFAULT_REGION or the profile)."
  type        = string
  default     = null
}

variable "lambda_zip_path" {
  description = "Path of the prebuilt deployment package made by `npm run build` (dist/lambda.zip, holding index.mjs that exports `handler`). Relative paths are relative to the terraform/ directory."
  type        = string
  default     = "../dist/lambda.zip"
  nullable    = false

  validation {
    condition     = fileexists(var.lambda_zip_path)
    error_message = "lambda_zip_path does not name an existing file: run `npm run build` first (`make deploy` does)."
  }
}

variable "runtime" {
  description = "Lambda runtime: nodejs22.x or a newer nodejsNN.x (the bundle is an ES module built for Node.js 22)."
  type        = string
  default     = "nodejs22.x"
  nullable    = false

  validation {
    condition     = try(tonumber(regex("^nodejs([0-9]+)\\.x$", var.runtime)[0]) >= 22, false)
    error_message = "runtime must be nodejs22.x or a newer nodejsNN.x."
  }
}

variable "architecture" {
  description = "Instruction set of the function: arm64 (Graviton, about 20% cheaper per GB-second) or x86_64. The bundle is pure JavaScript, so both work."
  type        = string
  default     = "arm64"
  nullable    = false

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be \"arm64\" or \"x86_64\"."
  }
}

variable "memory_size" {
  description = "Memory of the function in MB (CPU share grows with it). 128 is enough for one small bundle calling DynamoDB."
  type        = number
  default     = 128
  nullable    = false

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB from 128 to 10240."
  }
}

variable "timeout" {
  description = "Function timeout in seconds. 10 covers the DynamoDB client's retry budget (about 3 attempts of at most 2.5 s each) with room for the response."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.timeout >= 3 && var.timeout <= 60 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number of seconds from 3 to 60."
  }
}

variable "reserved_concurrency" {
  description = "Concurrent executions reserved for, and capping, the function, so a leaked URL cannot run up a bill. -1 or null: no reservation and no cap (needed on accounts whose total concurrency is too low to reserve any; new accounts often have only 10). 0 would throttle every request and is refused."
  type        = number
  default     = 5

  validation {
    condition = (var.reserved_concurrency == null ? true : (
      var.reserved_concurrency == -1 || (var.reserved_concurrency >= 1 && floor(var.reserved_concurrency) == var.reserved_concurrency)
    ))
    error_message = "reserved_concurrency must be a whole number >= 1, or -1 (or null) for no reservation; 0 would stop the function."
  }
}

variable "api_key_sha256s" {
  description = "Lowercase hex SHA-256 digests of the accepted API keys; more than one while a key is being rotated. The plain keys never enter Terraform: scripts/deploy.sh computes these from .deploy/api-keys. Marked sensitive only to keep them out of plan output."
  type        = list(string)
  sensitive   = true
  nullable    = false

  validation {
    condition     = length(var.api_key_sha256s) >= 1
    error_message = "api_key_sha256s must hold at least one digest: without one every request is refused."
  }

  validation {
    condition     = alltrue([for digest in var.api_key_sha256s : can(regex("^[0-9a-f]{64}$", digest))])
    error_message = "Every api_key_sha256s entry must be 64 lowercase hex digits (a SHA-256 digest), never a plain key."
  }

  validation {
    # Lambda allows 4 KB of environment variables in all; 20 digests take 1.3 KB.
    condition     = length(var.api_key_sha256s) <= 20
    error_message = "api_key_sha256s holds more than 20 digests: retire old keys (`make retire-key`)."
  }
}

variable "allowed_origins" {
  description = "Origin allow-list passed as MCP_ALLOWED_ORIGINS, e.g. [\"https://claude.ai\", \"https://*.claude.ai\", \"http://localhost:*\"]. null leaves the variable unset, so the code's default (claude.ai and claude.com and their subdomains) applies."
  type        = list(string)
  default     = null

  validation {
    condition     = var.allowed_origins == null ? true : length(var.allowed_origins) >= 1
    error_message = "allowed_origins must not be empty: use null for the code's default list."
  }

  validation {
    # The same pattern the code parses (src/protocol/origins.ts); a comma would split one entry into two.
    condition = var.allowed_origins == null ? true : alltrue([
      for origin in var.allowed_origins :
      can(regex("^https?://(\\*\\.)?(\\[[0-9a-f:.]+\\]|[a-z0-9.-]+)(:(\\*|[0-9]{1,5}))?$", trimsuffix(lower(trimspace(origin)), "/")))
    ])
    error_message = "Every allowed_origins entry must look like https://example.com, https://*.example.com or http://localhost:* (scheme, host, optional port; no path, no comma)."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the function's logs (0 keeps them forever)."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one CloudWatch accepts: 0 (never expire), 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "table_name" {
  description = "Name of the DynamoDB table. null uses var.name. Changing it on a deployed stack creates a new, empty table."
  type        = string
  default     = null

  validation {
    condition     = var.table_name == null ? true : can(regex("^[A-Za-z0-9_.-]{3,255}$", var.table_name))
    error_message = "table_name must be 3-255 characters of letters, digits, '_', '-' and '.'."
  }
}

variable "kms_key_arn" {
  description = "ARN of a customer managed KMS key to encrypt the table with. null keeps the AWS owned key: encrypted at rest all the same, and free."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), not an alias or a key id."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the table, and so every memory, even on `terraform destroy`. Set to false and apply before destroying on purpose (`make destroy` explains)."
  type        = bool
  default     = true
  nullable    = false
}

variable "tags" {
  description = "Tags for every resource (applied as the provider's default_tags)."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "public_base_url" {
  description = "Public origin when a custom domain (e.g. CloudFront) fronts the function URL, such as https://memory.example.com. It becomes the OAuth issuer and the token audience (<origin>/mcp). null derives it from each request's Host, which on a Function URL is the function URL itself."
  type        = string
  default     = null

  validation {
    condition     = var.public_base_url == null ? true : can(regex("^https://[a-z0-9.-]+(:[0-9]{1,5})?$", var.public_base_url))
    error_message = "public_base_url must be an https origin such as https://memory.example.com: no path, no trailing slash."
  }
}
