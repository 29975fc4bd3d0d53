#!/usr/bin/env node
// Thin launcher for the bundled CLI (built by `npm run build`, which `npm ci` runs via `prepare`).
require('../dist/cli/index.js');
