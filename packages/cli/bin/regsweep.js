#!/usr/bin/env node
// The `regsweep` command. In a checkout: the compiled sources (`npm run build` writes dist/); in the
// npm package, which ships no dist/: the one-file bundle made when it was packed (bundle/).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/bin.js', import.meta.url);
await import(existsSync(compiled) ? compiled.href : new URL('../bundle/index.js', import.meta.url).href);
