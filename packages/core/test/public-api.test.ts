/**
 * The package's main entry is the curated API (index.ts): exactly these values, nothing of the
 * engine's insides (the walk, the heap, the pool, the pacer, the executor), which live behind
 * `@regsweep/core/internal` for regsweep's own adapters.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as api from '../src/index.js';
import * as internal from '../src/internal.js';

const PUBLIC_VALUES = [
  'BudgetExhausted', 'DeleteSkipped', 'IncompleteInputError', 'InputError', 'REASON_ORDER', 'RegistryError', 'VERSION',
  'defaultCleanupPolicy', 'describeError', 'emptyReport', 'listUntilAgreed', 'parseKeepListText', 'parsePolicyText', 'policyFromText',
  'renderSummary', 'runPipeline',
  // Host cleanup (docs/host-cleanup.md): the run every front end calls, its pure plan, and the repository names it compares.
  'runHostCleanup', 'planHostCleanup', 'normalizeRepository', 'repositoriesFromReport',
];

test('the main entry exports the curated values and nothing else', () => {
  assert.equal(Object.keys(api).sort(), [...PUBLIC_VALUES].sort());
});

test('internals stay internal: the walk, the pool, the pacer, the executor, the planner\'s parts', () => {
  for (const name of ['walkHistory', 'mapLimit', 'Pacer', 'executeDeletions', 'planCleanup', 'buildGraph', 'resolveBracketed', 'applyPlan']) {
    assert.ok(!(name in api), `${name} is not in the main entry`);
  }
  assert.ok(['mapLimit', 'Pacer', 'executeDeletions', 'planCleanup', 'buildGraph', 'resolveBracketed'].every((name) => name in internal), 'the internal entry still has them');
});

test('the internal entry holds every public value too (one engine, two doors)', () => {
  for (const name of PUBLIC_VALUES) assert.is((internal as Record<string, unknown>)[name], (api as Record<string, unknown>)[name], name);
});

test.run();
