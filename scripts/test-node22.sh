#!/usr/bin/env bash
# The second half of `npm test`: the project on Node 22, the Lambda runtime's major (template.yaml:
# nodejs22.x), while the first half ran on this machine's node. Expects `npm run build` to have run.
#   1. the unit suite with jest itself on Node 22, so lib/ runs on it;
#   2. the integration suite with jest on this machine's node and every bundle it invokes (the handler,
#      the CLI) on Node 22, through DELEGATE_NODE (tests/integration/helpers.ts).
# Arguments go to both jest runs (e.g. a test path pattern; then a run that it matches nothing in passes).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then set -- --passWithNoTests "$@"; fi
node22="$(bash scripts/node22.sh)"
version="$("$node22" --version)"
echo "== unit suite, jest on Node $version"
"$node22" node_modules/jest/bin/jest.js "$@" --selectProjects unit
echo "== integration suite, jest on Node $(node --version), the bundles on Node $version (DELEGATE_NODE)"
DELEGATE_NODE="$node22" node node_modules/jest/bin/jest.js "$@" --selectProjects integration
