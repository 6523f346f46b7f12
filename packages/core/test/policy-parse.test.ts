import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../src/errors.js';
import { defaultCleanupPolicy } from '../src/policy/defaults.js';
import { parseKeepListText, parsePolicyText } from '../src/policy/parse.js';

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

test('§2 policy file: YAML with werf keys under cleanup:', () => {
  const { policy, warnings } = parsePolicyText(
    `cleanup:
  keepPolicies:
    - references:
        branch: /.*/
        limit: { last: 10, in: 168h, operator: And }
      imagesPerReference: { last: 2, in: 7d }
  keepImagesBuiltWithinLastNHours: 0
`,
    'regsweep.yaml',
  );
  assert.equal(warnings, []);
  assert.is(policy.keepPolicies.length, 1);
  assert.equal(policy.keepPolicies[0]?.imagesPerReference, { last: 2, in: 168 * 3_600_000, operator: 'And' });
  assert.is(policy.keepImagesBuiltWithinLastNHours, 0);
});

test('§2 empty file and file without cleanup: give the defaults', () => {
  assert.equal(parsePolicyText('', 'a.yaml').policy, defaultCleanupPolicy());
  assert.equal(parsePolicyText('# nothing yet\n', 'a.yaml').policy, defaultCleanupPolicy());
  assert.equal(parsePolicyText('project: app\nconfigVersion: 1\n', 'werf.yaml').policy, defaultCleanupPolicy());
});

test('§2 werf.yaml: multi-document, the first document with cleanup: is used, later templates are ignored', () => {
  const text = `project: app
configVersion: 1
cleanup:
  keepPolicies:
    - references: { tag: /v.*/ }
---
image: backend
from: golang:1.22
---
image: {{ .Values.name }}
{{- range .Files }}
  x: [
{{- end }}
`;
  const { policy } = parsePolicyText(text, 'werf.yaml');
  assert.is(policy.defaultKeepPolicies, false);
  assert.is(policy.keepPolicies[0]?.references.kind, 'tag');
  const second = parsePolicyText('image: a\nfrom: alpine\n---\nproject: app\ncleanup:\n  keepPolicies: []\n', 'werf.yaml');
  assert.equal(second.policy.keepPolicies, []);
});

test('§2 YAML syntax error: InputError with the file, line and column', () => {
  const err = inputError(() => parsePolicyText('cleanup:\n  keepPolicies:\n    - references: { branch: main\n  keepTags: [v*]\n', 'policy.yaml'));
  assert.match(err.message, /^policy\.yaml:\d+:\d+: invalid YAML: /);
  assert.match(err.message, /at line \d+, column \d+/);
  const dup = inputError(() => parsePolicyText('cleanup:\n  keepTags: [a]\n  keepTags: [b]\n', 'policy.yaml'));
  assert.match(dup.message, /^policy\.yaml:3:3: invalid YAML: Map keys must be unique/);
});

test('§2 werf.yaml: a template that breaks YAML before the cleanup document is an error with a hint', () => {
  const err = inputError(() => parsePolicyText('project: app\nitems: [\n{{ range .X }}\n', 'werf.yaml'));
  assert.match(err.message, /^werf\.yaml:\d+:\d+: invalid YAML/);
  assert.match(err.hint ?? '', 'does not render werf templates');
  // A template that leaves valid YAML turns into a validation problem, with the same hint.
  const err2 = inputError(() => parsePolicyText('cleanup:\n  keepImagesBuiltWithinLastNHours: {{ .Hours }}\n', 'werf.yaml'));
  assert.match(err2.message, /^werf\.yaml: cleanup\.keepImagesBuiltWithinLastNHours: expected a non-negative number/);
  assert.match(err2.hint ?? '', 'does not render werf templates');
});

test('§2 validation errors: one line per problem, FILE: PATH: MESSAGE (got VALUE)', () => {
  const err = inputError(() =>
    parsePolicyText(
      `cleanup:
  keepPolicies:
    - references: { branch: main, tag: v1 }
    - references: { branch: /.*/, limit: { in: 10, operator: and } }
  keepPolicy: []
`,
      'werf.yaml',
    ),
  );
  const lines = err.message.split('\n');
  assert.equal(lines, [
    'werf.yaml: cleanup.keepPolicy: unknown key (did you mean keepPolicies?); accepted here: keepPolicies, keepImagesBuiltWithinLastNHours, disableKubernetesBasedPolicy, disableGitHistoryBasedPolicy, disableBuiltWithinLastNHoursPolicy, keepTags, imageCommits, unmapped, untagged, pullRequests, repositories (got [])',
    'werf.yaml: cleanup.keepPolicies[0].references: has both branch: and tag:; a keep policy selects branches or tags, write one policy for each (got {"branch":"main","tag":"v1"})',
    'werf.yaml: cleanup.keepPolicies[1].references.limit.in: expected a duration such as 90m, 168h, 1h30m, 7d or 2w (units ns, us, ms, s, m, h, d, w); a bare number is not accepted (got 10)',
    'werf.yaml: cleanup.keepPolicies[1].references.limit.operator: expected And or Or (exactly so, with a capital letter); the default is And (got "and")',
  ]);
  assert.is(err.hint, undefined);
});

test('§4.3 warnings come back with the file name', () => {
  const { warnings } = parsePolicyText('cleanup:\n  keepPolicies:\n    - references: { branch: /.*/, limit: { last: 3, operator: Or } }\n', 'p.yaml');
  assert.is(warnings.length, 1);
  assert.match(warnings[0] ?? '', /^p\.yaml: cleanup\.keepPolicies\[0\]\.references\.limit\.operator: operator Or without in/);
});

test('§2 YAML merge keys and anchors work (as in werf)', () => {
  const { policy } = parsePolicyText(
    'x-limit: &week { last: 10, in: 168h }\ncleanup:\n  keepPolicies:\n    - references: { branch: /.*/, limit: { <<: *week, operator: Or } }\n',
    'werf.yaml',
  );
  assert.equal(policy.keepPolicies[0]?.references.limit, { last: 10, in: 168 * 3_600_000, operator: 'Or' });
});

test('§2 keep-list file: one glob per line, # comments and blank lines ignored', () => {
  const globs = parseKeepListText('\uFEFF# always keep\nv*\n\n  latest  \r\nrelease-[0-9]* # releases\n   # indented comment\n{stable,prod}\n', 'keep.txt');
  assert.equal(globs, ['v*', 'latest', 'release-[0-9]*', '{stable,prod}']);
  assert.equal(parseKeepListText('', 'keep.txt'), []);
});

test('§2 keep-list file: every bad glob is an InputError with file and line', () => {
  const err = inputError(() => parseKeepListText('v*\nv1 v2\nok\nghcr.io/acme/app:v1\n', 'keep.txt'));
  const lines = err.message.split('\n');
  assert.is(lines.length, 2);
  assert.match(lines[0] ?? '', /^keep\.txt:2: the glob contains " ", which no tag can contain.*\(got "v1 v2"\)$/);
  assert.match(lines[1] ?? '', /^keep\.txt:4: the glob contains "\/"/);
});

test.run();
