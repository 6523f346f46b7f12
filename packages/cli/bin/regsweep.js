#!/usr/bin/env node
// Runs the built CLI (`npm run build` compiles packages/*/src to dist/).
import '../dist/bin.js';
