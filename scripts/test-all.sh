#!/usr/bin/env bash
# Installs what the tests need, then runs every test. This is the README's test command.
# Debian packages: git, skopeo (reads images), docker-registry (the real registry server the tests start).
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for pair in git:git skopeo:skopeo docker-registry:docker-registry; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair##*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing Debian packages the tests need: ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
npm ci --no-audit --no-fund
npm test
