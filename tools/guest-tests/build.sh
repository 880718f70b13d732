#!/usr/bin/env bash
# Assemble every asm/<name>.asm (except the lib.inc it includes) into bin/<name>.bin.
#
#   ./build.sh           assemble all programs into bin/
#   ./build.sh --check   assemble into a temporary directory and compare byte for byte with the
#                        committed bin/*.bin; exit 1 on any difference, missing or stale binary
#
# NASM's flat binary output carries no timestamps or paths, so the same source and the same NASM
# give the same bytes. The committed binaries were made with NASM 2.16.01; set NASM=/path/to/nasm
# to use another one.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
nasm=${NASM:-nasm}

if ! command -v "$nasm" >/dev/null 2>&1; then
  echo "build.sh: nasm not found (apt-get install nasm, or set NASM=...)" >&2
  exit 2
fi

assemble() { # $1 = source, $2 = output
  # -f bin: flat image loaded at 0x7C00 (ORG is in lib.inc); -Ox spelled out so the bytes do not
  # depend on NASM's default; -I so %include "lib.inc" resolves from any working directory.
  "$nasm" -f bin -Ox -I "$here/asm/" -o "$2" "$1"
  local size
  size=$(wc -c <"$2")
  if [ "$size" -gt 65536 ]; then
    echo "build.sh: $2 is $size bytes (the load contract allows 64 KiB)" >&2
    exit 1
  fi
}

case "${1:-}" in
  "")
    mkdir -p "$here/bin"
    for src in "$here"/asm/*.asm; do
      name=$(basename "$src" .asm)
      assemble "$src" "$here/bin/$name.bin"
      echo "build.sh: wrote bin/$name.bin ($(wc -c <"$here/bin/$name.bin") bytes)"
    done
    ;;
  --check)
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    bad=0
    for src in "$here"/asm/*.asm; do
      name=$(basename "$src" .asm)
      assemble "$src" "$tmp/$name.bin"
      if ! cmp -s "$tmp/$name.bin" "$here/bin/$name.bin"; then
        echo "build.sh: bin/$name.bin differs from a fresh build of asm/$name.asm (run ./build.sh and commit)" >&2
        bad=1
      fi
    done
    for b in "$here"/bin/*.bin; do
      [ -e "$b" ] || continue
      name=$(basename "$b" .bin)
      if [ ! -e "$here/asm/$name.asm" ]; then
        echo "build.sh: bin/$name.bin has no asm/$name.asm" >&2
        bad=1
      fi
    done
    [ "$bad" = 0 ] && echo "build.sh: every bin/*.bin matches its asm/*.asm"
    exit "$bad"
    ;;
  *)
    echo "usage: $0 [--check]" >&2
    exit 2
    ;;
esac
