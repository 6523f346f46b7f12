/**
 * Runs the built CLI as a real process (`node packages/cli/bin/regsweep.js …`, what `npx regsweep`
 * runs), plus the file-system and skopeo helpers the CLI tests share. The CLI must be built first
 * (`npx tsc -b packages/cli`; `npm test` does it).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from '@regsweep/core';
import { recordOutput, recordOutputFile } from '@regsweep/test-kit/secrets';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const BIN = join(REPO_ROOT, 'packages', 'cli', 'bin', 'regsweep.js');
const BUILT = join(REPO_ROOT, 'packages', 'cli', 'dist', 'bin.js');

/** The fixed "now" of every test, and the same instant as a Date. */
export const NOW_TEXT = '2025-06-01T12:00:00Z';
export const NOW = new Date(NOW_TEXT);
const DAY = 86_400_000;
export const daysAgo = (days: number): Date => new Date(NOW.getTime() - days * DAY);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node packages/cli/bin/regsweep.js ARGS` in `cwd`; fails the test when the process cannot run. */
export function runCli(args: readonly string[], cwd: string, env: Record<string, string> = {}): CliResult {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: build the CLI first with \`npx tsc -b packages/cli\``);
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env },
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  recordOutput('regsweep-stdout', r.stdout);
  recordOutput('regsweep-stderr', r.stderr);
  if (r.status === null) throw new Error(`regsweep ${args.join(' ')} ended by signal ${String(r.signal)}\n${r.stderr}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A compact description of a run for assertion messages. */
export function describe(r: CliResult): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

// ---- temporary directories --------------------------------------------------------------------

const temps: string[] = [];

export function tempDir(prefix = 'regsweep-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/** Removes every directory `tempDir` made (call from `test.after`). */
export function removeTemps(): void {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
}

// ---- reports ---------------------------------------------------------------------------------

export function readReport(path: string): Report {
  recordOutputFile('report.json', path);
  const data = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (typeof data !== 'object' || data === null || (data as { tool?: unknown }).tool !== 'regsweep') {
    throw new Error(`${path} is not a regsweep report`);
  }
  return data as Report;
}

/** Every tag of the report's kept (or deleted) images, sorted. */
export const keptTags = (r: Report): string[] => r.kept.flatMap((k) => k.tags).sort();
export const deletedTags = (r: Report): string[] => r.deleted.flatMap((d) => d.tags).sort();

/** The kept entry that carries `tag` (or has `digest`); throws when there is none. */
export function keptEntry(r: Report, tagOrDigest: string): Report['kept'][number] {
  const k = r.kept.find((e) => e.tags.includes(tagOrDigest) || e.digest === tagOrDigest);
  if (!k) throw new Error(`no kept image ${tagOrDigest} in the report; kept: ${keptTags(r).join(', ')}`);
  return k;
}

// ---- OCI layouts -----------------------------------------------------------------------------

const REF_NAME = 'org.opencontainers.image.ref.name';

interface IndexJson {
  manifests: Array<{ digest: string; annotations?: Record<string, string> }>;
}

export function readIndexJson(layoutDir: string): IndexJson {
  const doc = JSON.parse(readFileSync(join(layoutDir, 'index.json'), 'utf8')) as IndexJson;
  if (!Array.isArray(doc.manifests)) throw new Error(`${layoutDir}/index.json has no manifests array`);
  return doc;
}

/** The tags of a layout, from its index.json, sorted. */
export function layoutTags(layoutDir: string): string[] {
  return readIndexJson(layoutDir)
    .manifests.flatMap((m) => (m.annotations?.[REF_NAME] !== undefined ? [m.annotations[REF_NAME]] : []))
    .sort();
}

/** The digests listed in a layout's index.json (tagged or not), sorted and without repeats. */
export function layoutDigests(layoutDir: string): string[] {
  return [...new Set(readIndexJson(layoutDir).manifests.map((m) => m.digest))].sort();
}

/** Every file under `dir` (relative path → sha256 of its content): equal snapshots = nothing changed. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(dir, path), createHash('sha256').update(readFileSync(path)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

export const snapshotEntries = (s: Map<string, string>): Array<[string, string]> => [...s.entries()];

// ---- skopeo ----------------------------------------------------------------------------------

export const SKOPEO = '/usr/bin/skopeo';
let policyFile: string | undefined;

/** `skopeo copy --all oci:FROM:TAG oci:TO:TAG`; throws with skopeo's stderr when it fails. */
export function skopeoCopy(from: string, to: string, tag: string): void {
  if (policyFile === undefined || !existsSync(policyFile)) {
    policyFile = join(tempDir('regsweep-skopeo-'), 'policy.json');
    writeFileSync(policyFile, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  }
  const r = spawnSync(SKOPEO, ['--policy', policyFile, 'copy', '--all', '--quiet', `oci:${from}:${tag}`, `oci:${to}:${tag}`], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`skopeo copy of ${tag} failed (exit ${String(r.status)}): ${r.stderr}`);
}
