#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (test/oauth/sdk-flow.test.ts drives it through
# playwright-core). Idempotent: does nothing when chromium is already on the PATH. Needs root (CI runs as root).
set -euo pipefail
command -v chromium >/dev/null 2>&1 || (apt-get update && apt-get install -y --no-install-recommends chromium)
chromium --version
