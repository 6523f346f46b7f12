/** `cleanup.repositories`: werf's storage layout (cleanup-semantics.md §7) as a regsweep extension under `cleanup:`. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../src/errors.js';
import { parsePolicyText } from '../src/policy/parse.js';
import { formatProblem } from '../src/policy/reader.js';
import { REGISTRY_REPOSITORY_PATTERN, REPOSITORY_REF_PATTERN } from '../src/policy/repositories.js';
import type { PolicyProblem, RepositorySpec } from '../src/policy/types.js';
import { validatePolicy } from '../src/policy/validate.js';

const DAY = 86_400_000;

function repositories(list: unknown): RepositorySpec[] {
  const result = validatePolicy({ cleanup: { repositories: list } });
  if ('problems' in result) throw new Error(`unexpected problems:\n${result.problems.map(formatProblem).join('\n')}`);
  return result.policy.repositories;
}

function problems(list: unknown): PolicyProblem[] {
  const result = validatePolicy({ cleanup: { repositories: list } }, { file: 'werf.yaml' });
  if (!('problems' in result)) throw new Error('expected problems, got a valid policy');
  return result.problems;
}

function onlyProblem(list: unknown): PolicyProblem {
  const found = problems(list);
  assert.is(found.length, 1, found.map(formatProblem).join('\n'));
  return found[0] as PolicyProblem;
}

test('repositories: absent = [] (the front end names the repositories)', () => {
  const result = validatePolicy({ cleanup: {} });
  assert.ok(!('problems' in result));
  assert.equal(result.policy.repositories, []);
  assert.equal(repositories([]), []);
});

test('repositories: role defaults to primary, follows to the first primary; keepFor is read as milliseconds', () => {
  assert.equal(
    repositories([
      { ref: 'oci:./cache', role: 'cache', keepFor: '7d' },
      { ref: 'registry.example.org/project' },
      { ref: 'registry.example.org/project-final', role: 'final' },
      { ref: 'localhost:5000/other', role: 'primary' },
      { ref: 'localhost:5000/other-final', role: 'final', follows: 'localhost:5000/other' },
    ]),
    [
      { ref: 'oci:./cache', path: 'cleanup.repositories[0]', role: 'cache', keepFor: 7 * DAY },
      { ref: 'registry.example.org/project', path: 'cleanup.repositories[1]', role: 'primary' },
      { ref: 'registry.example.org/project-final', path: 'cleanup.repositories[2]', role: 'final', follows: 'registry.example.org/project' },
      { ref: 'localhost:5000/other', path: 'cleanup.repositories[3]', role: 'primary' },
      { ref: 'localhost:5000/other-final', path: 'cleanup.repositories[4]', role: 'final', follows: 'localhost:5000/other' },
    ],
  );
  // A cache alone needs no primary; keepFor 0s (werf: a cache is cleaned by removing it) is allowed.
  assert.equal(repositories([{ ref: 'oci:/c', role: 'cache', keepFor: '0s' }]), [{ ref: 'oci:/c', path: 'cleanup.repositories[0]', role: 'cache', keepFor: 0 }]);
});

test('repositories: role secondary (werf\'s --secondary-repo) is read as such, takes neither follows nor keepFor', () => {
  assert.equal(repositories([{ ref: 'oci:./a' }, { ref: 'registry.example.org/base', role: 'secondary' }]), [
    { ref: 'oci:./a', path: 'cleanup.repositories[0]', role: 'primary' },
    { ref: 'registry.example.org/base', path: 'cleanup.repositories[1]', role: 'secondary' },
  ]);
  assert.equal(repositories([{ ref: 'oci:./s', role: 'secondary' }]), [{ ref: 'oci:./s', path: 'cleanup.repositories[0]', role: 'secondary' }], 'alone, too');
  assert.match(onlyProblem([{ ref: 'oci:./a' }, { ref: 'oci:./s', role: 'secondary', follows: 'oci:./a' }]).message, /applies to role final only \(this entry's role is secondary\)/);
  assert.match(onlyProblem([{ ref: 'oci:./s', role: 'secondary', keepFor: '1d' }]).message, /applies to role cache only \(this entry's role is secondary\)/);
  assert.match(onlyProblem([{ ref: 'oci:./s', role: 'second' }]).message, /expected primary, final, cache or secondary \(werf's --repo, --final-repo, --cache-repo, --secondary-repo\)/);
});

test('repositories: the list and its entries must be the right shapes', () => {
  let p = onlyProblem('oci:./a');
  assert.is(p.path, 'cleanup.repositories');
  assert.is(p.value, '"oci:./a"');
  assert.match(p.message, /expected a list of repositories/);
  p = onlyProblem(['oci:./a']);
  assert.is(p.path, 'cleanup.repositories[0]');
  assert.match(p.message, /mapping with ref: \(oci:DIR or HOST\[:PORT\]\/NAME\)/);
  p = onlyProblem([{ role: 'primary' }]);
  assert.is(p.path, 'cleanup.repositories[0].ref');
  assert.is(p.value, undefined);
  assert.match(p.message, /^is required: oci:DIR/);
  for (const ref of ['oci:', 'registry.example.org', 'registry.example.org/Project Final', 5000]) {
    p = onlyProblem([{ ref }]);
    assert.is(p.path, 'cleanup.repositories[0].ref');
    assert.is(p.value, JSON.stringify(ref));
    assert.match(p.message, /expected oci:DIR \(an OCI image layout\) or HOST\[:PORT\]\/NAME/);
  }
  p = onlyProblem([{ ref: 'oci:./a', role: 'Final' }]);
  assert.is(p.path, 'cleanup.repositories[0].role');
  assert.is(p.value, '"Final"');
  assert.match(p.message, /expected primary, final, cache or secondary .*the default is primary/);
});

test('repositories: unknown keys, with a suggestion', () => {
  const p = onlyProblem([{ ref: 'oci:./a', role: 'cache', keepfor: '1d', keepFor: '1d' }]);
  assert.is(p.path, 'cleanup.repositories[0].keepfor');
  assert.match(p.message, /unknown key \(did you mean keepFor\?\); accepted here: ref, role, follows, keepFor/);
});

test('repositories: keepFor is required for a cache, a duration, and only for a cache', () => {
  let p = onlyProblem([{ ref: 'oci:./c', role: 'cache' }]);
  assert.is(p.path, 'cleanup.repositories[0].keepFor');
  assert.match(p.message, /^is required for role cache/);
  p = onlyProblem([{ ref: 'oci:./c', role: 'cache', keepFor: 24 }]);
  assert.is(p.path, 'cleanup.repositories[0].keepFor');
  assert.is(p.value, '24');
  assert.match(p.message, /a bare number is not accepted/);
  p = onlyProblem([{ ref: 'oci:./a', keepFor: '7d' }]);
  assert.is(p.path, 'cleanup.repositories[0].keepFor');
  assert.is(p.value, '"7d"');
  assert.match(p.message, /applies to role cache only \(this entry's role is primary\)/);
  p = onlyProblem([{ ref: 'oci:./a' }, { ref: 'oci:./f', role: 'final', keepFor: '7d' }]);
  assert.is(p.path, 'cleanup.repositories[1].keepFor');
  assert.match(p.message, /this entry's role is final/);
});

test('repositories: follows applies to a final only and must name a primary of the list', () => {
  let p = onlyProblem([{ ref: 'oci:./a' }, { ref: 'oci:./b', follows: 'oci:./a' }]);
  assert.is(p.path, 'cleanup.repositories[1].follows');
  assert.match(p.message, /applies to role final only \(this entry's role is primary\)/);
  p = onlyProblem([{ ref: 'oci:./a' }, { ref: 'oci:./c', role: 'cache', keepFor: '1d', follows: 'oci:./a' }]);
  assert.match(p.message, /this entry's role is cache/);
  p = onlyProblem([{ ref: 'oci:./a' }, { ref: 'oci:./f', role: 'final', follows: 'oci:./elsewhere' }]);
  assert.is(p.path, 'cleanup.repositories[1].follows');
  assert.is(p.value, '"oci:./elsewhere"');
  assert.match(p.message, /names no repository of this list; expected the ref of a primary repository of this list: oci:\.\/a/);
  p = onlyProblem([
    { ref: 'oci:./a' }, { ref: 'oci:./c', role: 'cache', keepFor: '1d' }, { ref: 'oci:./f', role: 'final', follows: 'oci:./c' },
  ]);
  assert.is(p.path, 'cleanup.repositories[2].follows');
  assert.match(p.message, /names a cache repository \(cleanup\.repositories\[1\]\), but a final repository follows a primary one; expected the ref of a primary repository of this list: oci:\.\/a$/);
  p = onlyProblem([{ ref: 'oci:./a' }, { ref: 'oci:./f', role: 'final' }, { ref: 'oci:./g', role: 'final', follows: 'oci:./f' }]);
  assert.match(p.message, /names a final repository/);
  p = onlyProblem([{ ref: 'oci:./a', role: 'final', follows: 123 }, { ref: 'oci:./b' }]);
  assert.is(p.path, 'cleanup.repositories[0].follows');
  assert.match(p.message, /expected the ref of a primary repository/);
});

test('repositories: a final repository needs a primary one in the list', () => {
  const p = onlyProblem([{ ref: 'oci:./f', role: 'final' }, { ref: 'oci:./c', role: 'cache', keepFor: '1d' }]);
  assert.is(p.path, 'cleanup.repositories[0].role');
  assert.is(p.value, '"final"');
  assert.match(p.message, /follows the decisions of a primary one, and this list has none/);
});

test('repositories: a ref listed twice is an error at the second entry', () => {
  const p = onlyProblem([{ ref: 'oci:./a' }, { ref: 'oci:./b', role: 'cache', keepFor: '1d' }, { ref: 'oci:./a', role: 'cache', keepFor: '1d' }]);
  assert.is(p.path, 'cleanup.repositories[2].ref');
  assert.is(p.value, '"oci:./a"');
  assert.match(p.message, /is already listed as cleanup\.repositories\[0\]; each repository is listed once/);
});

test('repositories: every problem is reported at once, each naming the file', () => {
  const found = problems([{ ref: 'oci:' }, { ref: 'oci:./c', role: 'cache' }, { ref: 'oci:./f', role: 'final', keepFor: '1h' }, 7]);
  assert.equal(found.map((p) => p.path), [
    'cleanup.repositories[0].ref', 'cleanup.repositories[1].keepFor', 'cleanup.repositories[2].keepFor', 'cleanup.repositories[3]',
  ]);
  for (const p of found) assert.is(p.file, 'werf.yaml');
});

test('repositories: from YAML, and an InputError line per problem', () => {
  const yaml = [
    'cleanup:',
    '  repositories:',
    '    - ref: registry.example.org/project',
    '    - { ref: registry.example.org/project-final, role: final }',
    '    - { ref: "localhost:5000/project", role: cache, keepFor: 168h }',
    '',
  ].join('\n');
  assert.equal(parsePolicyText(yaml, 'werf.yaml').policy.repositories.map((r) => r.role), ['primary', 'final', 'cache']);
  try {
    parsePolicyText('cleanup:\n  repositories:\n    - { ref: oci:./c, role: cache, keepFor: 7 }\n', '.regsweep.yml');
    assert.unreachable('expected an InputError');
  } catch (err) {
    assert.instance(err, InputError);
    assert.is((err as Error).message, `.regsweep.yml: cleanup.repositories[0].keepFor: ${'expected a duration such as 90m, 168h, 1h30m, 7d or 2w (units ns, us, ms, s, m, h, d, w); a bare number is not accepted'} (got 7)`);
  }
});

test('repositories: the ref pattern accepts what the CLI opens', () => {
  const ref = new RegExp(REPOSITORY_REF_PATTERN);
  const host = new RegExp(REGISTRY_REPOSITORY_PATTERN);
  for (const ok of ['oci:./layout', 'oci:/abs/dir', 'ghcr.io/acme/app', 'localhost:5000/a/b', '127.0.0.1:5000/x_y.z-w']) assert.ok(ref.test(ok), ok);
  for (const bad of ['oci:', 'ghcr.io', 'ghcr.io/', 'https://ghcr.io/acme/app', 'ghcr.io/acme/app:latest', '']) assert.not.ok(ref.test(bad), bad);
  for (const ok of ['ghcr.io/acme/app', 'localhost:5000/a/b']) assert.ok(host.test(ok), ok);
  assert.not.ok(host.test('oci:./layout'));
});

test.run();
