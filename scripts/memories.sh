#!/usr/bin/env bash
# `make memories ARGS="export --out backup.jsonl"`: runs `npm run memories` on the deployed table, its name
# taken from Terraform's output. `terraform output -raw` exits 0 with only a warning when nothing is
# deployed, so the name is checked before it is used.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() {
  printf 'memories: %s\n' "$*" >&2
  exit 1
}

command -v terraform >/dev/null 2>&1 ||
  die "terraform is not installed, so the deployed table's name is unknown: pass it yourself with npm run memories -- <command> --table NAME."
table=$(terraform -chdir="$repo_root/terraform" output -raw table_name 2>/dev/null) || table=""
[[ $table =~ ^[A-Za-z0-9_.-]{3,255}$ ]] ||
  die "nothing is deployed here (Terraform's state has no table_name output): run \`make deploy\` first, or pass --table NAME to npm run memories."

cd "$repo_root"
exec npm run -s memories -- "$@" --table "$table"
