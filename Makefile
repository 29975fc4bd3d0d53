# `sam build` builds the Function with this Makefile (template.yaml: Metadata BuildMethod: makefile), so what
# `sam deploy` ships is the bundle the tests exercised: scripts/build.mjs's dist/delegate/index.js, not a
# bundle made with SAM's own esbuild settings (docs/deploy-build.md).
#
# SAM copies the source (CodeUri: .) to a scratch directory, runs `make build-Function` there with
# ARTIFACTS_DIR set to the function's build folder, and packages what lands in that folder. A copy without
# node_modules (a fresh clone) gets the locked dependencies first; their install scripts are not needed.

.PHONY: build-Function build-DurableRestoreFunction

build-Function:
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set: run through sam build, or make build-Function ARTIFACTS_DIR=<dir>" >&2; exit 2; }
	test -d node_modules || npm ci --no-audit --no-fund --ignore-scripts
	node scripts/build.mjs
	cp dist/delegate/index.js "$(ARTIFACTS_DIR)/index.js"

# The durable restore function (template.yaml DurableRestoreFunction): its own bundle, dist/durable-restore.
build-DurableRestoreFunction:
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set: run through sam build, or make build-DurableRestoreFunction ARTIFACTS_DIR=<dir>" >&2; exit 2; }
	test -d node_modules || npm ci --no-audit --no-fund --ignore-scripts
	node scripts/build.mjs
	cp dist/durable-restore/index.js "$(ARTIFACTS_DIR)/index.js"
