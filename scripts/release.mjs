#!/usr/bin/env node
// One version for all of regsweep: every workspace package, the internal dependencies between them,
// core's VERSION constant (and its page in docs/api), the component template's default `version` input and the example's pin move
// together (one script instead of a changesets-style tool: the packages are released as one product).
//   node scripts/release.mjs set 1.2.3      write 1.2.3 everywhere (then: npm install, CHANGELOG.md)
//   node scripts/release.mjs check [v1.2.3] exit 1 naming every place that disagrees (with the tag), or a
//                                           tag without a CHANGELOG.md entry
//   node scripts/release.mjs notes 1.2.3    print the CHANGELOG.md entry (the release's notes)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const INTERNAL = (name) => name === 'regsweep' || name.startsWith('@regsweep/');

/** The files that carry the version, each with how to read and write it. */
function places(root) {
  const json = (path) => ({
    path,
    read: (text) => {
      const pkg = JSON.parse(text);
      const deps = ['dependencies', 'devDependencies'].flatMap((k) => Object.entries(pkg[k] ?? {}).filter(([n]) => INTERNAL(n)).map(([, v]) => v));
      return pkg.name === 'regsweep-monorepo' ? deps : [pkg.version, ...deps];
    },
    write: (text, v) => {
      const pkg = JSON.parse(text);
      if (pkg.name !== 'regsweep-monorepo') pkg.version = v;
      for (const k of ['dependencies', 'devDependencies']) for (const n of Object.keys(pkg[k] ?? {})) if (INTERNAL(n)) pkg[k][n] = v;
      return `${JSON.stringify(pkg, null, 2)}\n`;
    },
  });
  /** A file where `re`'s first group is the version; writing replaces that group. */
  const pattern = (path, re) => ({
    path,
    read: (text) => [...text.matchAll(new RegExp(re, 'g'))].map((m) => m[2]),
    write: (text, v) => text.replace(new RegExp(re, 'g'), (_, before, _old, after) => `${before}${v}${after}`),
  });
  const packages = readdirSync(join(root, 'packages')).sort().map((p) => `packages/${p}/package.json`);
  return [
    json('package.json'),
    ...packages.map(json),
    pattern('packages/core/src/version.ts', "(export const VERSION: string = ')([^']*)(';)"),
    // The API reference's page of that constant (test/api-docs.test.ts compares docs/api with TypeDoc's).
    pattern('docs/api/variables/VERSION.md', "(\\*\\*VERSION\\*\\*: `string` = `')([^']*)('`)"),
    // The `version:` input's default (the lines between are its description and regex).
    pattern('templates/cleanup.yml', '(\\n {4}version:\\n(?: {6}.*\\n)*? {6}default: )(\\S+)(\\n)'),
    pattern('examples/gitlab/.gitlab-ci.yml', '(regsweep/cleanup@)(\\d[^\\s]*)()'),
  ];
}

/** Every place whose version is not `expected` (or, without one, not the version of packages/core). */
export function versionMismatches(root, expected) {
  const found = places(root).map((p) => ({ path: p.path, versions: p.read(readFileSync(join(root, p.path), 'utf8')) }));
  const want = expected ?? JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8')).version;
  const out = [];
  for (const { path, versions } of found) {
    if (path !== 'package.json' && versions.length === 0) out.push(`${path}: no version found`);
    for (const v of new Set(versions)) if (v !== want) out.push(`${path}: ${v}, not ${want}`);
  }
  return out;
}

export function setVersion(root, version) {
  if (!SEMVER.test(version)) throw new Error(`${JSON.stringify(version)} is not a version like 1.2.3 (or 1.2.3-rc.1)`);
  for (const p of places(root)) {
    const path = join(root, p.path);
    const before = readFileSync(path, 'utf8');
    const after = p.write(before, version);
    if (after !== before) writeFileSync(path, after);
  }
}

/** The `## <version>` section of CHANGELOG.md (its text, without the heading), or undefined. */
export function changelogEntry(changelog, version) {
  const lines = changelog.split('\n');
  const start = lines.findIndex((l) => new RegExp(`^## ${version.replaceAll('.', '\\.')}(\\s|$)`).test(l));
  if (start < 0) return undefined;
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  const body = lines.slice(start + 1, end < 0 ? undefined : end).join('\n').trim();
  return body === '' ? undefined : body;
}

function fail(message, code = 1) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = process.cwd();
  const [command, arg] = process.argv.slice(2);
  const version = arg?.replace(/^v/, '');
  if (command === 'set' && version !== undefined && SEMVER.test(version)) {
    setVersion(root, version);
    process.stdout.write(`set ${version}; now: npm install (the lock file), a "## ${version}" entry in CHANGELOG.md, commit, then tag v${version} (GitHub) and ${version} (GitLab)\n`);
  } else if (command === 'check') {
    const problems = versionMismatches(root, version);
    if (problems.length > 0) fail(`versions disagree${arg ? ` with the tag ${arg}` : ''}:\n${problems.map((p) => `  ${p}`).join('\n')}\nfix: node scripts/release.mjs set <version>, then commit`);
    if (version !== undefined && changelogEntry(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), version) === undefined) {
      fail(`CHANGELOG.md has no "## ${version}" entry; fix: write what changed under that heading, then commit`);
    }
    process.stdout.write(`every package, the template and the example are at ${version ?? 'one version'}\n`);
  } else if (command === 'notes' && version !== undefined) {
    const entry = changelogEntry(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), version);
    if (entry === undefined) fail(`CHANGELOG.md has no "## ${version}" entry`);
    process.stdout.write(`${entry}\n`);
  } else {
    fail('usage: node scripts/release.mjs set X.Y.Z | check [vX.Y.Z] | notes X.Y.Z', 2);
  }
}
