#!/usr/bin/env bash
# Rebuild v3guest.bin from v3guest.asm, byte for byte.
#
#   ./build.sh           assemble v3guest.asm into v3guest.bin
#   ./build.sh --check   assemble into a temporary file and compare it with the
#                        committed v3guest.bin; exit 1 if they differ
#
# NASM's flat binary output carries no timestamps or paths, so the same source
# and the same NASM give the same bytes. The committed binary was made with
# NASM 2.16.01 (Debian 12); set NASM=/path/to/nasm to use another one.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
nasm=${NASM:-nasm}
src="$here/v3guest.asm"
bin="$here/v3guest.bin"

if ! command -v "$nasm" >/dev/null 2>&1; then
  echo "build.sh: nasm not found (apt-get install nasm, or set NASM=...)" >&2
  exit 2
fi

assemble() {
  # -f bin: flat image loaded at 0x7C00 (ORG is in the source); -Ox: the
  # default multipass optimisation, spelled out so the bytes do not depend on it.
  "$nasm" -f bin -Ox -o "$1" "$src"
}

case "${1:-}" in
  "")
    assemble "$bin"
    echo "build.sh: wrote $bin ($(wc -c <"$bin") bytes)"
    ;;
  --check)
    tmp=$(mktemp)
    trap 'rm -f "$tmp"' EXIT
    assemble "$tmp"
    if cmp -s "$tmp" "$bin"; then
      echo "build.sh: v3guest.bin matches v3guest.asm"
    else
      echo "build.sh: v3guest.bin differs from a fresh build of v3guest.asm (run ./build.sh and commit)" >&2
      exit 1
    fi
    ;;
  *)
    echo "usage: $0 [--check]" >&2
    exit 2
    ;;
esac
