#!/usr/bin/env bash
# Install what v3 needs on a machine that has only Node.js and npm: pnpm (through npm, because
# corepack's download fails its signature check on some machines), then the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
want=10.34.9
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$want" ]; then
  echo "bootstrap: installing pnpm $want with npm" >&2
  npm install --global --no-fund --no-audit "pnpm@$want" >&2
fi
pnpm install --frozen-lockfile --reporter=append-only >&2
