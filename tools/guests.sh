#!/usr/bin/env bash
# Build the real guests (a Debian i386 kernel, busybox initramfs images, a bootable ISO and the
# BIOS images) from Debian packages, once, into .cache/guests (or $V3_GUESTS). It runs the shared
# guest builder (../shared/guests/make-guests.sh, or $V3_GUEST_BUILDER), which needs root for
# apt-get. Nothing it makes is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${V3_GUESTS:-.cache/guests}
builder=${V3_GUEST_BUILDER:-../shared/guests/make-guests.sh}
if [ -f "$out/MANIFEST" ] && [ -f "$out/bzImage" ] && [ -f "$out/initrd-shell.gz" ]; then
  echo "guests: $out is built" >&2
  exit 0
fi
if [ ! -f "$builder" ]; then
  echo "guests: the guest builder $builder is missing (set V3_GUEST_BUILDER)" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "guests: building the guests needs root (apt-get); run as root or build them elsewhere and set V3_GUESTS" >&2
  exit 1
fi
mkdir -p "$out"
echo "guests: building into $out from Debian packages" >&2
bash "$builder" "$out" >&2
