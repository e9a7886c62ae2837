#!/usr/bin/env bash
# Offline checks of terraform/: fmt, then init (the AWS provider from a local filesystem mirror),
# validate and `terraform test` (mocked provider: no credentials, nothing deployed).
# Run from anywhere: bash scripts/terraform-check.sh. Leaves the work tree untouched.
#
# The provider mirror is TF_PROVIDER_MIRROR when set, else the first of the usual places holding
# registry.terraform.io/hashicorp/aws. To make one on a machine with internet access:
#   terraform -chdir=terraform providers mirror ~/.terraform.d/plugins
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

fail() {
  printf 'terraform-check: %s\n' "$*" >&2
  exit 1
}

if ! command -v terraform >/dev/null 2>&1; then
  fail "terraform is not installed (or not on PATH): install Terraform >= 1.7 to run these checks."
fi

# True when $1 is a provider mirror (packed or unpacked layout) holding hashicorp/aws.
is_mirror() {
  [[ -n $1 && -d $1/registry.terraform.io/hashicorp/aws ]]
}

find_mirror() {
  if [[ -n ${TF_PROVIDER_MIRROR:-} ]]; then
    is_mirror "$TF_PROVIDER_MIRROR" ||
      fail "TF_PROVIDER_MIRROR=$TF_PROVIDER_MIRROR holds no registry.terraform.io/hashicorp/aws directory."
    printf '%s\n' "$TF_PROVIDER_MIRROR"
    return
  fi
  local candidate
  for candidate in \
    "${TF_PLUGIN_CACHE_DIR:-}" \
    "$HOME/.terraform.d/plugins" \
    "${XDG_DATA_HOME:-$HOME/.local/share}/terraform/plugins" \
    /usr/share/terraform/plugins \
    /usr/local/share/terraform/plugins \
    /opt/*/ \
    /opt/*/*/; do
    candidate=${candidate%/}
    if is_mirror "$candidate"; then
      printf '%s\n' "$candidate"
      return
    fi
  done
  fail "no Terraform provider mirror holding registry.terraform.io/hashicorp/aws was found (looked in" \
    "TF_PLUGIN_CACHE_DIR, ~/.terraform.d/plugins, ~/.local/share/terraform/plugins," \
    "/usr/share/terraform/plugins, /usr/local/share/terraform/plugins, /opt/*/)." \
    "Set TF_PROVIDER_MIRROR to one, or create one with:" \
    "terraform -chdir=terraform providers mirror ~/.terraform.d/plugins"
}

mirror=$(find_mirror)

work=$(mktemp -d "${TMPDIR:-/tmp}/terraform-check.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Only this script's terraform calls see this configuration: the provider comes from the mirror and
# nothing else is fetched.
cat >"$work/cli.tfrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
EOF
export TF_CLI_CONFIG_FILE=$work/cli.tfrc
export TF_DATA_DIR=$work/data
# A plugin cache that is also the mirror makes init fail ("cannot install ... to itself"); the
# temporary data directory needs no cache.
unset TF_PLUGIN_CACHE_DIR
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1

terraform fmt -check -recursive -diff terraform ||
  fail "terraform fmt found unformatted files (above): run \`terraform fmt -recursive terraform\`."

# init writes .terraform.lock.hcl next to the configuration, and a deployment's own lock file may pin
# another provider version than the mirror has: so validate and test run on a copy of the tree (the
# module reads ../src/dynamodb/table.json), without build output, local state, secrets or dependencies.
mkdir "$work/tree"
tar -C "$repo_root" -cf - \
  --exclude=.git --exclude=node_modules --exclude=.deploy --exclude=.data --exclude=dist \
  --exclude=coverage --exclude=bench-results --exclude=.terraform --exclude=.terraform.lock.hcl \
  --exclude='*.tfstate' --exclude='*.tfstate.*' --exclude='*.tfvars' . |
  tar -C "$work/tree" -xf -
cd "$work/tree/terraform"

if ! terraform init -backend=false -no-color >"$work/init.log" 2>&1; then
  cat "$work/init.log" >&2
  fail "terraform init failed with the provider mirror at $mirror (above)."
fi

terraform validate -no-color || fail "terraform validate failed (above)."

status=0
terraform test -no-color 2>&1 | tee "$work/test.log" || status=$?
counts=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$work/test.log" | tail -n 1 || true)

printf 'terraform: fmt ok, validate ok (provider mirror %s)\n' "$mirror"
if [[ $status -ne 0 || -z $counts ]]; then
  printf 'terraform: %s\n' "${counts:-0 passed, 1 failed}"
  exit 1
fi
printf 'terraform: %s\n' "$counts"
