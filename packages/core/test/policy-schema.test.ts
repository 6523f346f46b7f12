import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { policySchema, schemaJson, type SchemaNode } from '../src/policy/schema.js';
import { validatePolicy } from '../src/policy/validate.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const schemaFile = `${root}schema/regsweep.schema.json`;

test('§2 schema: the committed schema file is what scripts/write-schema.mjs writes', () => {
  const committed = readFileSync(schemaFile, 'utf8');
  const written = execFileSync(process.execPath, ['scripts/write-schema.mjs', '--stdout'], { cwd: root, encoding: 'utf8' });
  assert.is(written, schemaJson());
  assert.is(committed, written, 'run: node scripts/write-schema.mjs');
});

// strictRequired is off: `references` says "exactly one of branch, tag" with oneOf/required, which
// that check (a property named in required must be in the same schema's properties) would flag.
const AJV_OPTIONS = { strict: true, strictRequired: false, allErrors: true } as const;

test('§2 schema: it is a valid draft-07 schema, strict under cleanup, open at the top level', () => {
  const ajv = new Ajv(AJV_OPTIONS);
  assert.ok(ajv.validateSchema(policySchema), ajv.errorsText(ajv.errors));
  ajv.compile(policySchema);
  assert.is(policySchema['additionalProperties'], true);
  const cleanup = (policySchema['properties'] as Record<string, SchemaNode>)['cleanup'];
  assert.is(cleanup?.['additionalProperties'], false);
});

test('§2 schema: every property has a description; every mapping under cleanup is closed', () => {
  const missing: string[] = [];
  const open: string[] = [];
  const walk = (node: SchemaNode, path: string): void => {
    if (node['type'] === 'object' && path.startsWith('cleanup') && node['additionalProperties'] !== false) open.push(path);
    const props = node['properties'] as Record<string, SchemaNode> | undefined;
    for (const [key, child] of Object.entries(props ?? {})) {
      const childPath = path ? `${path}.${key}` : key;
      if (typeof child['description'] !== 'string' || child['description'].length < 10) missing.push(childPath);
      walk(child, childPath);
    }
    const items = node['items'] as SchemaNode | undefined;
    if (items) walk(items, `${path}[]`);
  };
  walk(policySchema, '');
  assert.equal(missing, []);
  assert.equal(open, []);
});

/**
 * Documents for the agreement test: the schema's verdict must equal validatePolicy's. Left out on
 * purpose, because JSON Schema cannot express them: a /regex/ that does not compile (`/(/`), a tag
 * pattern whose `(?<sha>` is escaped or not a group, a duration too long for a number.
 */
const corpus: Array<[name: string, valid: boolean, doc: unknown]> = [
  ['empty document', true, null],
  ['werf meta without cleanup', true, { project: 'app', configVersion: 1, deploy: { helmRelease: 'x' } }],
  ['empty cleanup', true, { cleanup: {} }],
  ['werf default set written out', true, {
    cleanup: {
      keepPolicies: [
        { references: { tag: '/.*/', limit: { last: 10 } } },
        { references: { branch: '/.*/', limit: { last: 10, in: '168h', operator: 'And' } }, imagesPerReference: { last: 2, in: '168h', operator: 'And' } },
        { references: { branch: '/^(main|master|staging|production)$/' }, imagesPerReference: { last: 10 } },
      ],
    },
  }],
  ['explicit empty keepPolicies', true, { cleanup: { keepPolicies: [] } }],
  ['literal branch, Or with in', true, { cleanup: { keepPolicies: [{ references: { branch: 'main', limit: { in: '2w', operator: 'Or', last: 3 } } }] } }],
  ['Or without in (warning only)', true, { cleanup: { keepPolicies: [{ references: { tag: '/v.*/', limit: { operator: 'Or' } } }] } }],
  ['all werf switches', true, { cleanup: { keepImagesBuiltWithinLastNHours: 0.5, disableKubernetesBasedPolicy: true, disableGitHistoryBasedPolicy: false, disableBuiltWithinLastNHoursPolicy: true } }],
  ['all regsweep extensions', true, {
    cleanup: {
      keepTags: ['v*', '{latest,stable}', 'release-[0-9]*'],
      imageCommits: { labels: ['org.opencontainers.image.revision', 'vcs-ref'], tagPatterns: ['/build-(?<sha>[0-9a-f]{7,40})/'], branchNames: false, gitTagNames: true },
      unmapped: { keepFor: '720h' },
      untagged: { keepFor: '1h30m' },
      pullRequests: false,
    },
  }],
  ['unmapped forever, empty untagged', true, { cleanup: { unmapped: { keepFor: 'forever' }, untagged: {} } }],
  ['last 0', true, { cleanup: { keepPolicies: [{ references: { branch: '/.*/' }, imagesPerReference: { last: 0 } }] } }],
  ['durations with d, w, fractions, ms', true, { cleanup: { keepPolicies: [{ references: { branch: 'x', limit: { in: '1.5d' } }, imagesPerReference: { in: '300ms' } }] } }],
  ['top-level list', false, ['cleanup']],
  ['cleanup null', false, { cleanup: null }],
  ['unknown key under cleanup', false, { cleanup: { keepPolicy: [] } }],
  ['unknown key in a keep policy', false, { cleanup: { keepPolicies: [{ references: { branch: 'main' }, note: 1 }] } }],
  ['unknown key in limit', false, { cleanup: { keepPolicies: [{ references: { branch: 'main', limit: { within: '1h' } } }] } }],
  ['unknown key in imageCommits', false, { cleanup: { imageCommits: { label: 'x' } } }],
  ['both branch and tag', false, { cleanup: { keepPolicies: [{ references: { branch: 'main', tag: 'v1' } }] } }],
  ['neither branch nor tag', false, { cleanup: { keepPolicies: [{ references: { limit: { last: 1 } } }] } }],
  ['references missing', false, { cleanup: { keepPolicies: [{ imagesPerReference: { last: 1 } }] } }],
  ['empty regex //', false, { cleanup: { keepPolicies: [{ references: { tag: '//' } }] } }],
  ['empty branch name', false, { cleanup: { keepPolicies: [{ references: { branch: '' } }] } }],
  ['branch is a number', false, { cleanup: { keepPolicies: [{ references: { branch: 1 } }] } }],
  ['duration "7 days"', false, { cleanup: { keepPolicies: [{ references: { branch: 'x', limit: { in: '7 days' } } }] } }],
  ['duration bare number 10', false, { cleanup: { keepPolicies: [{ references: { branch: 'x' }, imagesPerReference: { in: 10 } }] } }],
  ['duration "10"', false, { cleanup: { untagged: { keepFor: '10' } } }],
  ['negative duration', false, { cleanup: { unmapped: { keepFor: '-1h' } } }],
  ['untagged forever', false, { cleanup: { untagged: { keepFor: 'forever' } } }],
  ['operator and', false, { cleanup: { keepPolicies: [{ references: { branch: 'x', limit: { operator: 'and' } } }] } }],
  ['negative last', false, { cleanup: { keepPolicies: [{ references: { branch: 'x', limit: { last: -1 } } }] } }],
  ['fractional last', false, { cleanup: { keepPolicies: [{ references: { branch: 'x' }, imagesPerReference: { last: 2.5 } }] } }],
  ['hours as string', false, { cleanup: { keepImagesBuiltWithinLastNHours: '2' } }],
  ['hours .inf (ajv refuses non-finite numbers too)', false, { cleanup: { keepImagesBuiltWithinLastNHours: Infinity } }],
  ['negative hours', false, { cleanup: { keepImagesBuiltWithinLastNHours: -2 } }],
  ['boolean as yes', false, { cleanup: { disableKubernetesBasedPolicy: 'yes' } }],
  ['keepTags not a list', false, { cleanup: { keepTags: 'v*' } }],
  ['keep tag with a space', false, { cleanup: { keepTags: ['v1 v2'] } }],
  ['keep tag with a repository', false, { cleanup: { keepTags: ['ghcr.io/acme/app:v1'] } }],
  ['tag pattern without sha group', false, { cleanup: { imageCommits: { tagPatterns: ['/build-([0-9a-f]+)/'] } } }],
  ['tag pattern not /…/', false, { cleanup: { imageCommits: { tagPatterns: ['build-(?<sha>[0-9a-f]+)'] } } }],
  ['empty label', false, { cleanup: { imageCommits: { labels: [''] } } }],
  ['keepPolicies null', false, { cleanup: { keepPolicies: null } }],
  ['limit not a mapping', false, { cleanup: { keepPolicies: [{ references: { branch: 'x', limit: 10 } }] } }],
  // cleanup.repositories (werf's storage layout, cleanup-semantics.md §7)
  ['repositories: primary, final, cache', true, {
    cleanup: {
      repositories: [
        { ref: 'registry.example.org/project' },
        { ref: 'registry.example.org/project-final', role: 'final' },
        { ref: 'localhost:5000/project', role: 'cache', keepFor: '7d' },
      ],
    },
  }],
  ['repositories: two primaries, finals with follows, oci refs', true, {
    cleanup: {
      repositories: [
        { ref: 'oci:./a', role: 'primary' }, { ref: 'oci:./b' },
        { ref: 'oci:./a-final', role: 'final', follows: 'oci:./a' }, { ref: 'oci:./b-final', role: 'final', follows: 'oci:./b' },
      ],
    },
  }],
  ['repositories: only a cache', true, { cleanup: { repositories: [{ ref: 'oci:/tmp/cache', role: 'cache', keepFor: '0s' }] } }],
  ['repositories: empty list', true, { cleanup: { repositories: [] } }],
  ['repositories not a list', false, { cleanup: { repositories: 'oci:./a' } }],
  ['repository entry a string', false, { cleanup: { repositories: ['oci:./a'] } }],
  ['repository without ref', false, { cleanup: { repositories: [{ role: 'primary' }] } }],
  ['repository ref oci: without a directory', false, { cleanup: { repositories: [{ ref: 'oci:' }] } }],
  ['repository ref without a name', false, { cleanup: { repositories: [{ ref: 'registry.example.org' }] } }],
  ['repository ref a number', false, { cleanup: { repositories: [{ ref: 5000 }] } }],
  ['repository unknown key', false, { cleanup: { repositories: [{ ref: 'oci:./a', kind: 'primary' }] } }],
  ['repository role Final', false, { cleanup: { repositories: [{ ref: 'oci:./a', role: 'Final' }] } }],
  ['final without any primary', false, { cleanup: { repositories: [{ ref: 'oci:./f', role: 'final' }, { ref: 'oci:./c', role: 'cache', keepFor: '1d' }] } }],
  ['cache without keepFor', false, { cleanup: { repositories: [{ ref: 'oci:./c', role: 'cache' }] } }],
  ['cache keepFor a bare number', false, { cleanup: { repositories: [{ ref: 'oci:./c', role: 'cache', keepFor: 24 }] } }],
  ['keepFor on a primary (role absent)', false, { cleanup: { repositories: [{ ref: 'oci:./a', keepFor: '7d' }] } }],
  ['keepFor on a final', false, { cleanup: { repositories: [{ ref: 'oci:./a' }, { ref: 'oci:./f', role: 'final', keepFor: '7d' }] } }],
  ['follows on a cache', false, { cleanup: { repositories: [{ ref: 'oci:./a' }, { ref: 'oci:./c', role: 'cache', keepFor: '1d', follows: 'oci:./a' }] } }],
  ['follows on a primary', false, { cleanup: { repositories: [{ ref: 'oci:./a' }, { ref: 'oci:./b', follows: 'oci:./a' }] } }],
];

test('§2 schema and validatePolicy agree on a corpus of valid and invalid documents', () => {
  assert.ok(corpus.length >= 25);
  assert.ok(corpus.some(([, v]) => v) && corpus.some(([, v]) => !v));
  const validate = new Ajv(AJV_OPTIONS).compile(policySchema);
  const disagreements: string[] = [];
  for (const [name, expected, doc] of corpus) {
    const bySchema = validate(doc);
    const result = validatePolicy(doc);
    const byValidator = !('problems' in result);
    if (bySchema !== expected || byValidator !== expected) {
      disagreements.push(`${name}: expected ${expected}, schema ${bySchema}, validatePolicy ${byValidator}`);
    }
  }
  assert.equal(disagreements, []);
});

test('§2 schema: the cases left out of the corpus are the ones only validatePolicy catches', () => {
  const validate = new Ajv(AJV_OPTIONS).compile(policySchema);
  const onlyValidator: unknown[] = [
    { cleanup: { keepPolicies: [{ references: { branch: '/feat(/' } }] } },
    { cleanup: { imageCommits: { tagPatterns: ['/b-\\(?<sha>x)/'] } } },
    { cleanup: { keepPolicies: [{ references: { branch: 'x', limit: { in: `${'9'.repeat(400)}h` } } }] } },
    // Checks across the entries of cleanup.repositories:
    { cleanup: { repositories: [{ ref: 'oci:./a' }, { ref: 'oci:./a', role: 'cache', keepFor: '1d' }] } },
    { cleanup: { repositories: [{ ref: 'oci:./a' }, { ref: 'oci:./f', role: 'final', follows: 'oci:./elsewhere' }] } },
    { cleanup: { repositories: [{ ref: 'oci:./a' }, { ref: 'oci:./c', role: 'cache', keepFor: '1d' }, { ref: 'oci:./f', role: 'final', follows: 'oci:./c' }] } },
  ];
  for (const doc of onlyValidator) {
    assert.ok('problems' in validatePolicy(doc), JSON.stringify(doc));
    assert.is(validate(doc), true, JSON.stringify(doc));
  }
});

test.run();
