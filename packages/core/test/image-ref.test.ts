/**
 * §5 in-use matching: workload image references in every form platform-facts.md §4.2 lists are normalised
 * the way container runtimes read them before they are compared with a repository.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseImageReference, repositoryKey } from '../src/internal.js';

const D = `sha256:${'a'.repeat(64)}`;

test('Docker Hub short forms, hosts with ports, tags, digests and tag@digest', () => {
  const cases: Array<[string, string, string | undefined, string | undefined]> = [
    ['app', 'docker.io/library/app', undefined, undefined],
    ['library/app', 'docker.io/library/app', undefined, undefined],
    ['docker.io/library/app:1', 'docker.io/library/app', '1', undefined],
    ['index.docker.io/acme/app:2', 'docker.io/acme/app', '2', undefined],
    ['ghcr.io/acme/app:tag', 'ghcr.io/acme/app', 'tag', undefined],
    [`ghcr.io/acme/app@${D}`, 'ghcr.io/acme/app', undefined, D],
    [`ghcr.io/acme/app:tag@${D}`, 'ghcr.io/acme/app', 'tag', D],
    ['localhost:5000/app', 'localhost:5000/app', undefined, undefined],
    ['127.0.0.1:5000/group/sub/app:v1', '127.0.0.1:5000/group/sub/app', 'v1', undefined],
    ['Registry.Example.com:443/acme/app:main', 'registry.example.com:443/acme/app', 'main', undefined],
  ];
  for (const [text, key, tag, digest] of cases) {
    const ref = parseImageReference(text);
    assert.ok(ref, text);
    assert.is(repositoryKey(ref), key, text);
    assert.is(ref.tag, tag, `${text} tag`);
    assert.is(ref.digest, digest, `${text} digest`);
  }
});

test('what is not an image reference is refused, not guessed', () => {
  for (const text of ['', '  ', 'app@sha256:short', 'ghcr.io/acme/app:', 'app@latest']) assert.is(parseImageReference(text), undefined, JSON.stringify(text));
});

test.run();
