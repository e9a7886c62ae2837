#!/usr/bin/env bash
# Deploys memory-mcp-lambda with Terraform (terraform/) and keeps its API keys. The plain keys live
# only in .deploy/api-keys on this machine (mode 600, one key a line, newest last); Terraform, its
# state and AWS only ever see their SHA-256 digests, passed as TF_VAR_api_key_sha256s.
#
# Usage: bash scripts/deploy.sh apply | rotate-key | retire-key | destroy | print
#   (make deploy / rotate-key / retire-key / destroy call these.)
# Environment:
#   MCP_API_KEY       use this key instead of generating one when the key file is empty or missing
#   TF_APPLY_ARGS     extra `terraform apply` arguments, e.g. -auto-approve
#   TF_DESTROY_ARGS   extra `terraform destroy` arguments
#   TF_VAR_*          any terraform/variables.tf input, e.g. TF_VAR_reserved_concurrency=-1
#   DEPLOY_DIR        where the key file lives (default .deploy/; the tests use a temporary one)
#   DEPLOY_SKIP_CREDENTIALS_CHECK=1  skip the AWS credentials check (instance roles and the like)
# Internal: `keys-digests` prints TF_VAR_api_key_sha256s for the current key file (test/infra/).
#
# Keys go through variables, pipes and builtins only, never through a command's arguments or an
# exported variable, so they appear neither in the process list nor in terraform's environment.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tf_dir=$repo_root/terraform
deploy_dir=${DEPLOY_DIR:-$repo_root/.deploy}
key_file=$deploy_dir/api-keys

# Read once, then removed from the environment that terraform and aws inherit.
seed_key=${MCP_API_KEY:-}
unset MCP_API_KEY

die() {
  printf 'deploy: %s\n' "$*" >&2
  exit 1
}

note() {
  printf '%s\n' "$*" >&2
}

# --- keys -------------------------------------------------------------------------------------------

# A key travels in a URL path and an HTTP header: URL-safe characters only, and long enough to guess
# no better than the generated ones.
valid_key() {
  [[ $1 =~ ^[A-Za-z0-9._~-]{32,}$ ]]
}

# 32 random bytes as base64url without padding: 43 characters.
generate_key() {
  if command -v node >/dev/null 2>&1; then
    node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("base64url"))'
  elif command -v openssl >/dev/null 2>&1; then
    openssl rand -base64 32 | tr '+/' '-_' | tr -d '=\n'
  else
    die "cannot generate a key: neither node nor openssl is installed."
  fi
}

# Lowercase hex SHA-256 of stdin (the key, without a newline).
sha256_hex() {
  local digest
  if command -v sha256sum >/dev/null 2>&1; then
    digest=$(sha256sum)
  elif command -v shasum >/dev/null 2>&1; then
    digest=$(shasum -a 256)
  elif command -v openssl >/dev/null 2>&1; then
    digest=$(openssl dgst -sha256 -r)
  else
    die "cannot hash the key: none of sha256sum, shasum or openssl is installed."
  fi
  digest=${digest%% *}
  printf '%s\n' "$digest" | tr 'A-F' 'a-f'
}

# The stored keys, oldest first, one a line; blank lines and # comments are skipped.
keys() {
  [[ -f $key_file ]] || return 0
  local line number=0
  while IFS= read -r line || [[ -n $line ]]; do
    number=$((number + 1))
    line=${line%$'\r'}
    case $line in
    '' | '#'*) continue ;;
    esac
    valid_key "$line" || die "line $number of $key_file is not a key (32+ characters of A-Z a-z 0-9 . _ ~ -)."
    printf '%s\n' "$line"
  done <"$key_file"
}

newest_key() {
  keys | tail -n 1
}

# Replaces the key file with stdin, atomically, readable by its owner only.
write_keys() {
  local tmp
  tmp=$(mktemp "$deploy_dir/api-keys.XXXXXX")
  chmod 600 "$tmp"
  cat >"$tmp"
  mv -f "$tmp" "$key_file"
}

# Makes sure the key file exists, private, with at least one key: MCP_API_KEY when set, else a new one.
ensure_keys() {
  (
    umask 077
    mkdir -p "$deploy_dir"
  )
  # Also repairs a file someone copied in with looser permissions.
  [[ ! -f $key_file ]] || chmod 600 "$key_file"
  local existing key
  existing=$(keys)
  if [[ -z $existing ]]; then
    if [[ -n $seed_key ]]; then
      valid_key "$seed_key" || die "MCP_API_KEY must be 32+ characters of A-Z a-z 0-9 . _ ~ - (it goes into a URL)."
      printf '%s\n' "$seed_key" | write_keys
      note "Stored MCP_API_KEY as the API key in $key_file."
    else
      key=$(generate_key)
      valid_key "$key" || die "key generation failed."
      printf '%s\n' "$key" | write_keys
      note "Generated a new API key in $key_file."
    fi
  elif [[ -n $seed_key ]] && ! printf '%s\n' "$existing" | grep -qxF -f <(printf '%s\n' "$seed_key"); then
    die "MCP_API_KEY is set, but $key_file already holds other keys. Unset MCP_API_KEY to deploy the stored keys, or move the file away to start over with MCP_API_KEY."
  fi
}

# Appends a new key: after the next apply the old and new keys are both accepted.
add_key() {
  local new
  new=$(generate_key)
  valid_key "$new" || die "key generation failed."
  { keys; printf '%s\n' "$new"; } | write_keys
}

# The Terraform variable value: a JSON list of the digests, oldest first.
digests_json() {
  local key json=""
  while IFS= read -r key; do
    json="${json:+$json,}\"$(printf '%s' "$key" | sha256_hex)\""
  done < <(keys)
  printf '[%s]\n' "$json"
}

# --- terraform --------------------------------------------------------------------------------------

tf() {
  terraform -chdir="$tf_dir" "$@"
}

require_terraform() {
  command -v terraform >/dev/null 2>&1 ||
    die "terraform is not installed: install Terraform >= 1.7 (https://developer.hashicorp.com/terraform/install)."
}

require_aws_credentials() {
  [[ ${DEPLOY_SKIP_CREDENTIALS_CHECK:-} == 1 ]] && return 0
  if command -v aws >/dev/null 2>&1; then
    local identity
    identity=$(aws sts get-caller-identity --query Arn --output text 2>&1) ||
      die "no usable AWS credentials (aws sts get-caller-identity: $identity). Log in (aws sso login, aws configure, AWS_PROFILE=...) and retry."
    note "Deploying as $identity"
    return 0
  fi
  if [[ -n ${AWS_ACCESS_KEY_ID:-}${AWS_PROFILE:-}${AWS_WEB_IDENTITY_TOKEN_FILE:-}${AWS_CONTAINER_CREDENTIALS_FULL_URI:-}${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI:-} ]] ||
    [[ -f ${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials} || -f ${AWS_CONFIG_FILE:-$HOME/.aws/config} ]]; then
    return 0
  fi
  die "no AWS credentials found: set AWS_PROFILE (after aws configure or aws sso login) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. With an instance role, set DEPLOY_SKIP_CREDENTIALS_CHECK=1."
}

require_zip() {
  [[ -n ${TF_VAR_lambda_zip_path:-} || -f $repo_root/dist/lambda.zip ]] ||
    die "dist/lambda.zip is missing: run \`make deploy\` (it builds first) or \`npm run build\`."
}

terraform_apply() {
  TF_VAR_api_key_sha256s=$(digests_json)
  export TF_VAR_api_key_sha256s
  tf init -input=false >/dev/null || die "terraform init failed: run \`terraform -chdir=terraform init\` to see why."
  # shellcheck disable=SC2086 # TF_APPLY_ARGS holds several words on purpose, e.g. "-auto-approve -compact-warnings".
  tf apply ${TF_APPLY_ARGS:-}
}

# Prints a string output of the deployment, or stops: nothing deployed. Not `output -raw`: with an empty or
# missing state it prints a "No outputs found" warning to stdout and exits 0; `output -json <name>` fails.
deployed_output() {
  local name=$1 json
  json=$(tf output -json "$name" 2>/dev/null) || json=""
  [[ $json =~ ^\"([^\"\\]+)\"$ ]] ||
    die "nothing is deployed yet: the Terraform state in terraform/ has no $name. Run \`make deploy\` first."
  printf '%s\n' "${BASH_REMATCH[1]}"
}

# Stops unless the Terraform state holds resources (an apply that failed half-way still counts).
require_deployed_resources() {
  local resources
  resources=$(tf state list 2>/dev/null) || resources=""
  [[ -n $resources ]] ||
    die "nothing is deployed: the Terraform state in terraform/ holds no resources, so there is nothing to $1."
}

print_connection() {
  local endpoint key
  endpoint=$(deployed_output endpoint_url)
  key=$(newest_key)
  printf '\nEndpoint, to paste as is into claude.ai (Settings > Connectors > Add custom connector): Claude signs in\nwith OAuth and you approve once with your API key. curl and Claude Code send the key as a Bearer token:\n  %s\n' "$endpoint"
  if [[ -z $key ]]; then
    printf '\nNo key in %s: run %s to make one.\n' "$key_file" "\`make deploy\`"
    return 0
  fi
  printf '\nAPI key (for the sign-in page, curl and Claude Code): in %s\n' "$key_file"
  printf '\nLegacy connector URL for clients that take only a URL and cannot do OAuth. It holds the key: keep it secret.\n  %s/%s\n' "$endpoint" "$key"
  printf '\nClaude Code:\n  claude mcp add --transport http memory %s --header "Authorization: Bearer %s"\n' "$endpoint" "$key"
  printf '\nCheck with curl:\n  curl -sS %s -H "Authorization: Bearer %s" -H "Content-Type: application/json" -H "Accept: application/json, text/event-stream" -d %s\n' \
    "$endpoint" "$key" "'{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}'"
}

# --- subcommands ------------------------------------------------------------------------------------

cmd_apply() {
  require_terraform
  require_aws_credentials
  require_zip
  ensure_keys
  terraform_apply
  print_connection
}

cmd_rotate_key() {
  require_terraform
  require_aws_credentials
  require_zip
  deployed_output endpoint_url >/dev/null
  ensure_keys
  add_key
  note "Added a new API key to $key_file; the older key(s) stay valid until \`make retire-key\`."
  terraform_apply || die "apply failed: the new key is stored but not deployed yet; \`make deploy\` retries."
  print_connection
  printf '\nNext: reconnect every client with the new connector URL or header above, then run %s.\n' "\`make retire-key\`"
}

cmd_retire_key() {
  require_terraform
  require_aws_credentials
  require_zip
  deployed_output endpoint_url >/dev/null
  ensure_keys
  local count
  count=$(keys | wc -l | tr -d ' ')
  newest_key | write_keys
  terraform_apply || die "apply failed: AWS still accepts the retired key(s) until \`make deploy\` succeeds."
  if [[ $count -gt 1 ]]; then
    printf '\nRetired %s older key(s): only the newest key is accepted now.\n' "$((count - 1))"
  else
    printf '\nThere was only one key: nothing to retire.\n'
  fi
}

cmd_destroy() {
  require_terraform
  require_aws_credentials
  # Destroying needs valid inputs but neither a key nor a build: use the stored digests or a
  # placeholder digest, and the built zip or an empty stand-in (nothing is uploaded on destroy).
  if [[ -n $(keys) ]]; then
    TF_VAR_api_key_sha256s=$(digests_json)
  else
    TF_VAR_api_key_sha256s=$(printf '["%s"]' "$(printf '' | sha256_hex)")
  fi
  export TF_VAR_api_key_sha256s
  local stand_in=""
  if [[ -z ${TF_VAR_lambda_zip_path:-} && ! -f $repo_root/dist/lambda.zip ]]; then
    stand_in=$(mktemp)
    trap 'rm -f "$stand_in"' EXIT
    export TF_VAR_lambda_zip_path=$stand_in
  fi
  tf init -input=false >/dev/null || die "terraform init failed: run \`terraform -chdir=terraform init\` to see why."
  # Before the targeted apply below, which would otherwise create the table it means to unprotect.
  require_deployed_resources destroy

  if [[ ${TF_VAR_deletion_protection:-true} == false ]]; then
    note "TF_VAR_deletion_protection=false: first switching off the table's deletion protection, then destroying everything, including every memory in the table."
    # shellcheck disable=SC2086 # several words on purpose
    tf apply -target=aws_dynamodb_table.this ${TF_APPLY_ARGS:-}
  else
    note "The table has deletion protection on (the default): this destroy removes the function, its URL," \
      "role and log group, then fails on the table, which keeps every memory."
    note "To delete the table and its memories too: TF_VAR_deletion_protection=false make destroy" \
      "(or set deletion_protection = false, apply, then destroy)."
  fi
  # shellcheck disable=SC2086 # several words on purpose
  tf destroy ${TF_DESTROY_ARGS:-}
}

cmd_rotate_signing_key() {
  require_terraform
  local table
  table=$(deployed_output table_name)
  npx tsx scripts/rotate-signing-key.ts "$table" "$@"
}

cmd_print() {
  require_terraform
  print_connection
}

case ${1:-} in
apply) cmd_apply ;;
rotate-key) cmd_rotate_key ;;
retire-key) cmd_retire_key ;;
destroy) cmd_destroy ;;
print) cmd_print ;;
rotate-signing-key) cmd_rotate_signing_key "${@:2}" ;;
keys-digests)
  ensure_keys
  digests_json
  ;;
*)
  printf 'usage: %s apply | rotate-key | retire-key | rotate-signing-key [--immediately] | destroy | print\n' "$0" >&2
  exit 2
  ;;
esac
