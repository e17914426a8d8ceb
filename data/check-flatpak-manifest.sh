#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# flatpak-builder --show-manifest fails on bad JSON but only warns (and exits 0) on an unknown
# key or a wrong type: fail on any WARNING too.
set -u
builder=$1
manifest=$2
output=$("$builder" --show-manifest "$manifest" 2>&1)
status=$?
printf '%s\n' "$output"
[ $status -eq 0 ] || { echo "flatpak-builder --show-manifest failed ($status)" >&2; exit 1; }
if printf '%s\n' "$output" | grep -q 'WARNING'; then
  echo "flatpak-builder printed a warning" >&2
  exit 1
fi
