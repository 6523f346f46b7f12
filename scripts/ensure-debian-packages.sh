#!/usr/bin/env bash
# Installs the named Debian packages when their command is missing, saying so.
# Usage: scripts/ensure-debian-packages.sh COMMAND[:PACKAGE] ...
set -euo pipefail
need=()
for spec in "$@"; do
  cmd="${spec%%:*}"; pkg="${spec#*:}"
  command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
echo "regsweep: installing Debian packages: ${need[*]} (apt-get)" >&2
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
