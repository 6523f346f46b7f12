import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultCleanupPolicy, defaultKeepPolicies } from '../src/policy/defaults.js';
import { formatProblem } from '../src/policy/reader.js';
import type { CleanupPolicy, KeepPolicy, PolicyProblem } from '../src/policy/types.js';
import { validatePolicy } from '../src/policy/validate.js';

const H = 3_600_000;

function valid(data: unknown): { policy: CleanupPolicy; warnings: string[] } {
  const result = validatePolicy(data);
  if ('problems' in result) throw new Error(`unexpected problems:\n${result.problems.map(formatProblem).join('\n')}`);
  return result;
}

function problems(data: unknown, file?: string): PolicyProblem[] {
  const result = validatePolicy(data, file === undefined ? {} : { file });
  if (!('problems' in result)) throw new Error('expected problems, got a valid policy');
  return result.problems;
}

function onlyProblem(data: unknown): PolicyProblem {
  const list = problems(data);
  assert.is(list.length, 1, list.map(formatProblem).join('\n'));
  return list[0] as PolicyProblem;
}

/** A keep policy as §2 writes it, for comparing: `kind: /source/` or a literal, limits as written. */
function describe(kp: KeepPolicy): unknown {
  const p = kp.references.pattern;
  return {
    path: kp.path,
    [kp.references.kind]: p.kind === 'regex' ? `/${p.source}/` : p.value,
    limit: kp.references.limit,
    imagesPerReference: kp.imagesPerReference,
  };
}

test('§2 default set: no keepPolicies key gives werf\'s three policies, exactly', () => {
  const { policy } = valid({ cleanup: {} });
  assert.is(policy.defaultKeepPolicies, true);
  assert.equal(policy.keepPolicies.map(describe), [
    { path: 'default keepPolicies[0]', tag: '/.*/', limit: { last: 10, operator: 'And' }, imagesPerReference: { last: 1, operator: 'And' } },
    {
      path: 'default keepPolicies[1]',
      branch: '/.*/',
      limit: { last: 10, in: 168 * H, operator: 'And' },
      imagesPerReference: { last: 2, in: 168 * H, operator: 'And' },
    },
    { path: 'default keepPolicies[2]', branch: '/^(main|master|staging|production)$/', limit: undefined, imagesPerReference: { last: 10, operator: 'And' } },
  ]);
  const main = policy.keepPolicies[2]?.references.pattern;
  assert.ok(main?.kind === 'regex' && main.regex.test('staging') && !main.regex.test('stagingX'));
  // The same policies when written out in the file (the written form gets file paths).
  const written = valid({
    cleanup: {
      keepPolicies: [
        { references: { tag: '/.*/', limit: { last: 10 } } },
        { references: { branch: '/.*/', limit: { last: 10, in: '168h', operator: 'And' } }, imagesPerReference: { last: 2, in: '168h', operator: 'And' } },
        { references: { branch: '/^(main|master|staging|production)$/' }, imagesPerReference: { last: 10 } },
      ],
    },
  }).policy;
  assert.is(written.defaultKeepPolicies, false);
  const unpath = (kp: KeepPolicy) => ({ ...(describe(kp) as object), path: undefined });
  assert.equal(written.keepPolicies.map(unpath), defaultKeepPolicies().map(unpath));
});

test('§2 defaults: no cleanup key, an empty document and cleanup: {} give every default', () => {
  const expected = defaultCleanupPolicy();
  for (const data of [undefined, null, {}, { project: 'x', configVersion: 1 }, { cleanup: {} }]) {
    const { policy, warnings } = valid(data);
    assert.equal(policy, expected);
    assert.equal(warnings, []);
  }
  assert.is(expected.keepImagesBuiltWithinLastNHours, 2);
  assert.is(expected.disableKubernetesBasedPolicy, false);
  assert.is(expected.disableGitHistoryBasedPolicy, false);
  assert.is(expected.disableBuiltWithinLastNHoursPolicy, false);
  assert.equal(expected.keepTags, []);
  assert.equal(expected.imageCommits.labels, ['org.opencontainers.image.revision']);
  assert.equal(expected.imageCommits.tagPatterns, []);
  assert.is(expected.imageCommits.branchNames, true);
  assert.is(expected.imageCommits.gitTagNames, true);
  assert.equal(expected.unmapped, {}, 'unmapped images are kept forever');
  assert.equal(expected.untagged, { keepFor: 0 });
  assert.is(expected.pullRequests, true);
});

test('§2 keepPolicies: [] explicitly means no git-history keeps', () => {
  const { policy } = valid({ cleanup: { keepPolicies: [] } });
  assert.equal(policy.keepPolicies, []);
  assert.is(policy.defaultKeepPolicies, false);
});

test('§2 imagesPerReference: absent = last 1; present without last = unlimited; limit absent = every ref', () => {
  const { policy } = valid({
    cleanup: {
      keepPolicies: [
        { references: { branch: 'main' } },
        { references: { tag: '/v.*/', limit: { in: '30d' } }, imagesPerReference: { in: '2w' } },
        { references: { branch: '/.*/' }, imagesPerReference: { last: 0 } },
      ],
    },
  });
  const [a, b, c] = policy.keepPolicies;
  assert.equal(a, { path: 'cleanup.keepPolicies[0]', references: { kind: 'branch', pattern: { kind: 'literal', value: 'main' } }, imagesPerReference: { last: 1, operator: 'And' } });
  assert.is(a?.references.limit, undefined);
  assert.equal(b?.references.limit, { in: 30 * 24 * H, operator: 'And' });
  assert.equal(b?.imagesPerReference, { in: 14 * 24 * H, operator: 'And' });
  assert.is(b?.imagesPerReference.last, undefined);
  assert.equal(c?.imagesPerReference, { last: 0, operator: 'And' });
});

test('§2 settings and regsweep extensions are read', () => {
  const { policy } = valid({
    project: 'app',
    cleanup: {
      keepImagesBuiltWithinLastNHours: 0,
      disableKubernetesBasedPolicy: true,
      disableGitHistoryBasedPolicy: true,
      disableBuiltWithinLastNHoursPolicy: true,
      keepTags: ['v*', 'latest'],
      imageCommits: { labels: ['vcs-ref'], tagPatterns: ['/build-(?<sha>[0-9a-f]{40})/'], branchNames: false, gitTagNames: false },
      unmapped: { keepFor: '720h' },
      untagged: { keepFor: '2w' },
      pullRequests: false,
    },
  });
  assert.is(policy.keepImagesBuiltWithinLastNHours, 0);
  assert.ok(policy.disableKubernetesBasedPolicy && policy.disableGitHistoryBasedPolicy && policy.disableBuiltWithinLastNHoursPolicy);
  assert.equal(policy.keepTags, ['v*', 'latest']);
  assert.equal(policy.imageCommits.labels, ['vcs-ref']);
  assert.is(policy.imageCommits.tagPatterns[0]?.test(`build-${'0'.repeat(40)}`), true);
  assert.is(policy.imageCommits.branchNames, false);
  assert.is(policy.imageCommits.gitTagNames, false);
  assert.equal(policy.unmapped, { keepFor: 720 * H });
  assert.equal(policy.untagged, { keepFor: 336 * H });
  assert.is(policy.pullRequests, false);
  assert.equal(valid({ cleanup: { unmapped: { keepFor: 'forever' }, untagged: {} } }).policy.unmapped, {});
  assert.equal(valid({ cleanup: { untagged: {} } }).policy.untagged, { keepFor: 0 });
  assert.equal(valid({ cleanup: { keepImagesBuiltWithinLastNHours: 1.5 } }).policy.keepImagesBuiltWithinLastNHours, 1.5);
});

test('§2 unknown keys are errors: under cleanup, with a suggestion', () => {
  const p = onlyProblem({ cleanup: { keepPolicy: [] } });
  assert.is(p.path, 'cleanup.keepPolicy');
  assert.is(p.value, '[]');
  assert.match(p.message, 'unknown key (did you mean keepPolicies?)');
  assert.match(p.message, 'accepted here: keepPolicies, keepImagesBuiltWithinLastNHours');
});

test('§2 unknown keys are errors: in every nested mapping', () => {
  const list = problems({
    cleanup: {
      keepPolicies: [{ references: { branch: 'main', limit: { last: 1, within: '1h' }, extra: 1 }, imagesPerReference: { lats: 2 }, note: 'x' }],
      imageCommits: { label: ['x'] },
      unmapped: { keep: '1h' },
      untagged: { keepFor: '1h', also: true },
    },
  });
  assert.equal(list.map((p) => p.path).sort(), [
    'cleanup.imageCommits.label',
    'cleanup.keepPolicies[0].imagesPerReference.lats',
    'cleanup.keepPolicies[0].note',
    'cleanup.keepPolicies[0].references.extra',
    'cleanup.keepPolicies[0].references.limit.within',
    'cleanup.unmapped.keep',
    'cleanup.untagged.also',
  ]);
  assert.match(list.find((p) => p.path.endsWith('.lats'))?.message ?? '', 'did you mean last?');
});

test('§2 every problem is collected, not only the first', () => {
  const list = problems({
    cleanup: {
      keepPolicies: [
        { references: { branch: '/(/', limit: { last: -1, in: '7 days', operator: 'and' } }, imagesPerReference: { last: 1.5 } },
        { references: {} },
      ],
      keepImagesBuiltWithinLastNHours: '2',
      disableKubernetesBasedPolicy: 'yes',
    },
  });
  assert.equal(list.map((p) => p.path), [
    'cleanup.keepPolicies[0].references.branch',
    'cleanup.keepPolicies[0].references.limit.last',
    'cleanup.keepPolicies[0].references.limit.in',
    'cleanup.keepPolicies[0].references.limit.operator',
    'cleanup.keepPolicies[0].imagesPerReference.last',
    'cleanup.keepPolicies[1].references',
    'cleanup.keepImagesBuiltWithinLastNHours',
    'cleanup.disableKubernetesBasedPolicy',
  ]);
});

test('§2 patterns: a bad regex is reported with RE2\'s message', () => {
  const p = onlyProblem({ cleanup: { keepPolicies: [{ references: { tag: '/v(1/' } }] } });
  assert.is(p.path, 'cleanup.keepPolicies[0].references.tag');
  assert.is(p.value, '"/v(1/"');
  assert.match(p.message, /^not a valid RE2 regular expression \(.*missing closing \)/);
  assert.match(p.message, 'or a regular expression written as /…/');
});

test('§2 durations: "7 days", a bare number 10 and "10" are errors that say what is accepted', () => {
  for (const bad of ['7 days', 10, '10']) {
    const p = onlyProblem({ cleanup: { keepPolicies: [{ references: { branch: '/.*/', limit: { in: bad } } }] } });
    assert.is(p.path, 'cleanup.keepPolicies[0].references.limit.in');
    assert.is(p.value, JSON.stringify(bad));
    assert.match(p.message, 'expected a duration such as 90m, 168h');
    assert.match(p.message, '7d or 2w');
    assert.match(p.message, 'a bare number is not accepted');
  }
  assert.is(onlyProblem({ cleanup: { unmapped: { keepFor: 'never' } } }).message.endsWith('or forever'), true);
  assert.is(onlyProblem({ cleanup: { untagged: { keepFor: 'forever' } } }).path, 'cleanup.untagged.keepFor');
});

test('§2 operator: exactly And or Or', () => {
  const p = onlyProblem({ cleanup: { keepPolicies: [{ references: { branch: 'main' }, imagesPerReference: { last: 1, operator: 'and' } }] } });
  assert.is(p.path, 'cleanup.keepPolicies[0].imagesPerReference.operator');
  assert.is(p.value, '"and"');
  assert.match(p.message, 'expected And or Or');
});

test('§2 references: exactly one of branch and tag', () => {
  const both = onlyProblem({ cleanup: { keepPolicies: [{ references: { branch: 'main', tag: 'v1' } }] } });
  assert.is(both.path, 'cleanup.keepPolicies[0].references');
  assert.is(both.value, '{"branch":"main","tag":"v1"}');
  assert.match(both.message, 'both branch: and tag:');
  const neither = onlyProblem({ cleanup: { keepPolicies: [{ references: { limit: { last: 1 } } }] } });
  assert.match(neither.message, 'exactly one of branch: or tag:');
  const missing = onlyProblem({ cleanup: { keepPolicies: [{ imagesPerReference: { last: 1 } }] } });
  assert.is(missing.path, 'cleanup.keepPolicies[0].references');
  assert.is(missing.value, undefined);
  assert.match(missing.message, 'is required');
  assert.is(onlyProblem({ cleanup: { keepPolicies: [{ references: { branch: 5 } }] } }).value, '5');
  assert.is(onlyProblem({ cleanup: { keepPolicies: [{ references: { branch: '//' } }] } }).path, 'cleanup.keepPolicies[0].references.branch');
});

test('§2 last: a non-negative integer', () => {
  for (const bad of [-1, 1.5, '3']) {
    const p = onlyProblem({ cleanup: { keepPolicies: [{ references: { branch: 'main', limit: { last: bad } } }] } });
    assert.is(p.path, 'cleanup.keepPolicies[0].references.limit.last');
    assert.is(p.value, JSON.stringify(bad));
    assert.match(p.message, 'expected a non-negative integer');
  }
});

test('§2 wrong types: mappings, lists, booleans, numbers', () => {
  assert.is(onlyProblem({ cleanup: null }).path, 'cleanup');
  assert.is(onlyProblem({ cleanup: [] }).path, 'cleanup');
  assert.is(onlyProblem({ cleanup: { keepPolicies: null } }).path, 'cleanup.keepPolicies');
  assert.is(onlyProblem({ cleanup: { keepPolicies: ['main'] } }).path, 'cleanup.keepPolicies[0]');
  assert.is(onlyProblem({ cleanup: { keepPolicies: [{ references: { branch: 'm', limit: 5 } }] } }).path, 'cleanup.keepPolicies[0].references.limit');
  assert.is(onlyProblem({ cleanup: { keepImagesBuiltWithinLastNHours: -1 } }).path, 'cleanup.keepImagesBuiltWithinLastNHours');
  assert.is(onlyProblem({ cleanup: { pullRequests: 'true' } }).message, 'expected true or false (default true)');
  assert.is(onlyProblem({ cleanup: { keepTags: ['v*', 'a b'] } }).path, 'cleanup.keepTags[1]');
  assert.is(onlyProblem({ cleanup: { keepTags: 'v*' } }).path, 'cleanup.keepTags');
  assert.is(onlyProblem({ cleanup: { imageCommits: { labels: [''] } } }).path, 'cleanup.imageCommits.labels[0]');
  assert.is(onlyProblem({ cleanup: { imageCommits: { tagPatterns: ['/b-([0-9a-f]+)/'] } } }).path, 'cleanup.imageCommits.tagPatterns[0]');
  assert.is(onlyProblem(['cleanup']).path, '(document)');
  assert.is(onlyProblem({ cleanup: { 'odd key': 1 } }).path, 'cleanup["odd key"]');
});

test('§4.3 operator Or without in is valid but warns (limit and imagesPerReference)', () => {
  const { warnings } = valid({
    cleanup: {
      keepPolicies: [
        { references: { branch: '/.*/', limit: { last: 5, operator: 'Or' } }, imagesPerReference: { last: 2, operator: 'Or' } },
        { references: { branch: '/.*/', limit: { last: 5, in: '1h', operator: 'Or' } }, imagesPerReference: { last: 2, in: '1h', operator: 'Or' } },
      ],
    },
  });
  assert.is(warnings.length, 2);
  assert.match(warnings[0] ?? '', /^cleanup\.keepPolicies\[0\]\.references\.limit\.operator: operator Or without in selects every reference/);
  assert.match(warnings[1] ?? '', /^cleanup\.keepPolicies\[0\]\.imagesPerReference\.operator: operator Or without in has no effect/);
  const withFile = validatePolicy({ cleanup: { keepPolicies: [{ references: { tag: '/.*/', limit: { operator: 'Or' } } }] } }, { file: 'werf.yaml' });
  assert.ok('warnings' in withFile && withFile.warnings[0]?.startsWith('werf.yaml: cleanup.keepPolicies[0]'));
});

test('§2 problems name the file; formatProblem gives FILE: PATH: MESSAGE (got VALUE)', () => {
  const [p] = problems({ cleanup: { keepImagesBuiltWithinLastNHours: 'two' } }, 'werf.yaml');
  assert.is(p?.file, 'werf.yaml');
  assert.is(
    formatProblem(p as PolicyProblem),
    'werf.yaml: cleanup.keepImagesBuiltWithinLastNHours: expected a non-negative number of hours (default 2); 0 turns the window off (got "two")',
  );
});

test('§2 defaults are fresh objects for every call', () => {
  const a = defaultCleanupPolicy();
  a.keepTags.push('x');
  a.keepPolicies.pop();
  const b = defaultCleanupPolicy();
  assert.equal(b.keepTags, []);
  assert.is(b.keepPolicies.length, 3);
});

test.run();
