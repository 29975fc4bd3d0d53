#!/usr/bin/env bash
# Production dependency audit for CI (scripts/audit.ts says what it checks). It does not need
# `npm audit`'s advisory endpoint: when that does not answer, audit/advisories.json is used.
# Exit 1: a high or critical advisory matches a production package, or a package is not as the registry
# has it. AUDIT_REQUIRED=true also fails when the registry cannot be reached.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node_modules/.bin/tsx scripts/audit.ts "$@"
