/** The fake's schema check itself (support/openapi-check.ts): it must catch what it is there to catch. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { publicUser } from '@regsweep/test-kit/fake-packages';
import { checkResponse, toJsonSchema } from '@regsweep/test-kit/openapi-check';

const LIST = '/orgs/{org}/packages/{package_type}/{package_name}/versions';
const DELETE = `${LIST}/{package_version_id}`;
const version = {
  id: 1, name: `sha256:${'a'.repeat(64)}`, url: 'https://api.github.com/orgs/acme/packages/container/app/versions/1',
  package_html_url: 'https://github.com/orgs/acme/packages/container/package/app',
  created_at: '2026-11-20T12:00:00Z', updated_at: '2026-11-20T12:00:00Z',
  metadata: { package_type: 'container', container: { tags: ['v1'] } },
};

test('a version list that fits passes; a wrong type, a missing field or a bad date fails', () => {
  assert.equal(checkResponse('GET', LIST, 200, [version]), { undocumented: false });
  assert.match(checkResponse('GET', LIST, 200, [{ ...version, id: '1' }]).error ?? '', /body\/0\/id must be integer/);
  const { url: _url, ...noUrl } = version;
  assert.match(checkResponse('GET', LIST, 200, [noUrl]).error ?? '', /must have required property 'url'/);
  assert.match(checkResponse('GET', LIST, 200, [{ ...version, created_at: 'yesterday' }]).error ?? '', /must match format "date-time"/);
  assert.match(checkResponse('GET', LIST, 200, [{ ...version, metadata: { package_type: 'container', container: {} } }]).error ?? '', /tags/);
});

test('204 has no body; an undocumented status is checked as a Basic Error and flagged', () => {
  assert.equal(checkResponse('DELETE', DELETE, 204, undefined), { undocumented: false });
  assert.match(checkResponse('DELETE', DELETE, 204, { message: 'x' }).error ?? '', /no body/);
  assert.equal(checkResponse('DELETE', DELETE, 400, { message: 'You cannot delete the last tagged version of a package.' }), { undocumented: true });
  assert.ok(checkResponse('DELETE', DELETE, 400, { message: 42 }).error);
  assert.throws(() => checkResponse('PATCH', DELETE, 200, {}), /no operation PATCH/);
});

test('OpenAPI 3.0 nullable becomes a null alternative', () => {
  assert.equal(toJsonSchema({ type: 'string', nullable: true, example: 'x' }), { anyOf: [{ type: 'string' }, { type: 'null' }] });
  assert.equal(toJsonSchema({ type: 'object', properties: { nullable: { type: 'boolean' } } }), { type: 'object', properties: { nullable: { type: 'boolean' } } });
  // GET /users/{username}: `company` is a nullable string in the description.
  const user = publicUser('acme', 'Organization') as Record<string, unknown>;
  assert.is(user['company'], null);
  assert.equal(checkResponse('GET', '/users/{username}', 200, user), { undocumented: false });
  assert.ok(checkResponse('GET', '/users/{username}', 200, { ...user, company: 5 }).error);
  assert.ok(checkResponse('GET', '/users/{username}', 200, { login: 'acme', type: 'Organization' }).error, 'a partial user fails');
});

test.run();
