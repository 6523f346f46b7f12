#!/usr/bin/env bash
# Publishes the npm packages of a release — @regsweep/core, regsweep (the CLI) and @regsweep/gitlab-ci
# (what the GitLab component runs) — to the registry npm is configured with, each only if that version
# is not there yet, so GitHub's release workflow and GitLab's release pipeline can both run it for one
# version. The token comes from NPM_TOKEN; nothing else is read from the environment. Each package's
# prepack builds what it ships (the bundles, core's dist/).
#   NPM_TOKEN=… bash scripts/publish-packages.sh [extra npm publish flags, e.g. --provenance]
set -euo pipefail
cd "$(dirname "$0")/.."
: "${NPM_TOKEN:?NPM_TOKEN must hold a token that may publish the @regsweep packages and regsweep}"
registry="$(npm config get registry)"
auth_file="$(mktemp)"
trap 'rm -f "$auth_file"' EXIT
# The registry's auth line (//host/path/:_authToken=…), in a user config of its own, never printed.
printf '%s:_authToken=${NPM_TOKEN}\n' "${registry#*:}" > "$auth_file"
export npm_config_userconfig="$auth_file" npm_config_registry="$registry"
for dir in core cli gitlab-ci; do
  name="$(node -p "require('./packages/$dir/package.json').name")"
  version="$(node -p "require('./packages/$dir/package.json').version")"
  if [ "$(npm view "$name@$version" version 2>/dev/null || true)" = "$version" ]; then
    echo "$name@$version is already published"
  else
    npm publish -w "packages/$dir" --access public "$@"
    echo "published $name@$version"
  fi
done
