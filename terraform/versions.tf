# Terraform and provider versions, and the one provider configuration of this root module.
#
# required_version: `terraform test` with mock_provider/override_data needs 1.7; 2.x may change the language.
# aws "~> 5.100": any 5.x from 5.100.0 (the version the tests run against) on, never 6.0. Major versions
# of the AWS provider remove and rename arguments, so 6.x must be a deliberate upgrade, not a silent
# `terraform init -upgrade`. That upgrade is also the moment to scope the public lambda:InvokeFunction
# grant with `invoked_via_function_url = true` (see aws_lambda_permission.this in main.tf).
terraform {
  required_version = ">= 1.7.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}

# Credentials and, when var.region is null, the region come from the usual AWS sources
# (AWS_PROFILE, AWS_REGION, ~/.aws/config, SSO, instance roles).
provider "aws" {
  region = var.region

  default_tags {
    tags = var.tags
  }
}
