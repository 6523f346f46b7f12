#!/usr/bin/env bash
# The README's test command (`npm run test:all`): installs what the tests need, then runs every test.
# Debian packages: git, skopeo (reads images back), docker-registry (the real registry the tests start).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-debian-packages.sh git skopeo docker-registry
npm ci --no-audit --no-fund
npm test
