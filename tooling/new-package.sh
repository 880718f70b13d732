#!/usr/bin/env bash
# Create the skeleton of a workspace package: tooling/new-package.sh DIR NAME "description" [dep ...]
set -euo pipefail
dir=$1 name=$2 desc=$3; shift 3
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$root/$dir/src"
up=$(python3 -c "import os,sys;print(os.path.relpath('$root','$root/$dir'))")
deps=""
for d in "$@"; do deps="$deps\"$d\": \"workspace:^\","; done
deps=${deps%,}
cat > "$root/$dir/package.json" <<JSON
{
  "name": "$name",
  "version": "0.1.0",
  "description": "$desc",
  "license": "MIT",
  "type": "module",
  "sideEffects": false,
  "exports": {
    ".": {
      "source": "./src/index.ts",
      "types": "./dist/index.d.ts",
      "import": "./dist/index.js"
    }
  },
  "main": "./dist/index.js",
  "types": "./dist/index.d.ts",
  "files": ["dist", "src", "!src/**/*.test.ts", "README.md", "CHANGELOG.md"],
  "scripts": {
    "build": "tsup",
    "test": "vitest run",
    "typecheck": "tsc -p tsconfig.json && tsc -p tsconfig.test.json",
    "lint": "eslint src"
  },
  "dependencies": { $deps }
}
JSON
# Two programs: the sources alone (no Node typings: published code must run in a browser too),
# and the sources with their tests (Node typings allowed there).
cat > "$root/$dir/tsconfig.json" <<JSON
{
  "extends": "$up/tooling/tsconfig/base.json",
  "include": ["src", "$up/tooling/debug-flags.d.ts"],
  "exclude": ["src/**/*.test.ts"]
}
JSON
cat > "$root/$dir/tsconfig.test.json" <<JSON
{
  "extends": "$up/tooling/tsconfig/base.json",
  "compilerOptions": { "types": ["node"] },
  "include": ["src", "test", "$up/tooling/debug-flags.d.ts"]
}
JSON
cat > "$root/$dir/tsup.config.ts" <<TS
import { defineConfig } from 'tsup';
import { libraryConfig } from '$up/tooling/tsup/library.mjs';

export default defineConfig(libraryConfig());
TS
cat > "$root/$dir/vitest.config.ts" <<TS
export { default } from '$up/tooling/vitest/package.mjs';
TS
[ -f "$root/$dir/src/index.ts" ] || printf '/**\n * %s\n * @packageDocumentation\n */\nexport {};\n' "$desc" > "$root/$dir/src/index.ts"
