/**
 * GitHubHistory against a fake GitHub: GraphQL executed against GitHub's real schema, REST answers
 * checked against GitHub's OpenAPI description. cleanup-semantics.md §4.1-§4.2, platform-facts.md §2.5.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IncompleteInputError, InputError, parsePolicyText, type GitRef } from '@regsweep/core';
import { planCleanup } from '@regsweep/core/internal';
import { createOctokit, GitHubHistory, type GitHubHistoryOptions, type GitHubLog, type RateLimitEvent } from '../src/index.js';
import { GraphBuilder } from '@regsweep/test-kit/image-graph';
import { fakeGraphql, oidOf, RepoModel } from '@regsweep/test-kit/fake-graphql';
import { fakeRepoRest } from '@regsweep/test-kit/fake-repo-rest';
import { sendJson, startFakeServer, type FakeServer, type Handler } from '@regsweep/test-kit/server';

const TOKEN = 'test-token';
const open: FakeServer[] = [];
test.after.each(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

interface World {
  server: FakeServer;
  history: GitHubHistory;
  logged: string[];
  events: RateLimitEvent[];
  violations: string[];
  /** HTTP attempts the Octokit reported through `onRequest`, retries included. */
  attempts: Array<{ method: string; url: string; status: number | undefined }>;
  /** Requests that reached /graphql. */
  graphql(): number;
}

async function world(model: RepoModel, o: { graphql?: boolean; token?: string; before?: Handler[]; history?: Partial<GitHubHistoryOptions> } = {}): Promise<World> {
  const rest = fakeRepoRest({ models: [model], token: TOKEN });
  const handlers = [...(o.before ?? []), ...(o.graphql === false ? [] : [fakeGraphql({ models: [model], token: TOKEN })]), rest.handler];
  const server = await startFakeServer(handlers);
  open.push(server);
  const logged: string[] = [];
  const events: RateLimitEvent[] = [];
  const attempts: World['attempts'] = [];
  const log: GitHubLog = { debug: (m) => logged.push(`debug ${m}`), info: (m) => logged.push(`info ${m}`), warn: (m) => logged.push(`warn ${m}`), error: (m) => logged.push(`error ${m}`) };
  const octokit = createOctokit({ token: o.token ?? TOKEN, baseUrl: server.url, log, retryBaseMs: 1, writeSpacingMs: 0, onRateLimit: (e) => events.push(e), onRequest: (a) => attempts.push(a) });
  const history = new GitHubHistory({ octokit, owner: model.owner, repo: model.name, log, ...o.history });
  return { server, history, logged, events, attempts, violations: rest.violations, graphql: () => server.requests.filter((r) => r.url === '/graphql').length };
}

const at = (iso: string): Date => new Date(iso);
const byName = (refs: GitRef[]): GitRef[] => [...refs].sort((a, b) => (a.kind + a.name < b.kind + b.name ? -1 : 1));

/** main m1..m4 (a day apart, to Nov 20), feature f1 on m2 merged into main by mm; tags; PRs. */
function sample(): RepoModel {
  const m = new RepoModel();
  m.line('m', 4, '2026-11-20T00:00:00Z');
  m.commit('f1', '2026-11-18T06:00:00Z', ['m2']);
  m.commit('mm', '2026-11-20T06:00:00Z', ['m4', 'f1']);
  m.commit('p1', '2026-11-19T08:00:00Z', ['m3']); // a fork's pull request: no branch holds it
  m.branch('main', 'mm').branch('feature/x', 'f1');
  m.tag('v0.9', 'm1').annotatedTag('v1.0', 'm2', '2026-11-19T10:00:00Z').tagOfTag('v1.0-signed', 'v1.0', '2026-11-19T11:00:00Z');
  m.annotatedTag('no-tagger', 'm3', null).treeTag('a-tree');
  m.pr(7, 'p1').pr(8, 'f1', 'CLOSED');
  return m;
}

const SAMPLE_REFS: GitRef[] = byName([
  { kind: 'branch', name: 'main', commit: oidOf('mm'), date: at('2026-11-20T06:00:00Z') },
  { kind: 'branch', name: 'feature/x', commit: oidOf('f1'), date: at('2026-11-18T06:00:00Z') },
  { kind: 'branch', name: 'pr-7', commit: oidOf('p1'), date: at('2026-11-19T08:00:00Z') },
  { kind: 'tag', name: 'v0.9', commit: oidOf('m1'), date: at('2026-11-17T00:00:00Z') },
  { kind: 'tag', name: 'v1.0', commit: oidOf('m2'), date: at('2026-11-19T10:00:00Z') },
  { kind: 'tag', name: 'v1.0-signed', commit: oidOf('m2'), date: at('2026-11-19T11:00:00Z') },
  { kind: 'tag', name: 'no-tagger', commit: oidOf('m3'), date: at('2026-11-19T00:00:00Z') },
]);

test('refs: branches and tags with their dates (annotated = tagger date, peeled), open PRs as pr-<n>, in one query', async () => {
  const w = await world(sample());
  assert.equal(byName(await w.history.refs()), SAMPLE_REFS);
  assert.is(w.graphql(), 1);
  assert.is(w.history.stats().graphqlQueries, 1);
});

test('refs: a tag of a tag of a tag is peeled with one more query; its date is the outermost tagger date', async () => {
  const m = sample();
  m.tagOfTag('v1.0-notarized', 'v1.0-signed', '2026-11-19T12:00:00Z');
  const w = await world(m);
  const refs = byName(await w.history.refs());
  assert.equal(refs.find((r) => r.name === 'v1.0-notarized'), { kind: 'tag', name: 'v1.0-notarized', commit: oidOf('m2'), date: at('2026-11-19T12:00:00Z') });
  assert.equal(refs.filter((r) => r.name !== 'v1.0-notarized'), SAMPLE_REFS);
  assert.is(w.graphql(), 2);
});

test('refs: pullRequests: false leaves the pr-<n> references out', async () => {
  const w = await world(sample(), { history: { pullRequests: false } });
  assert.equal(byName(await w.history.refs()), SAMPLE_REFS.filter((r) => !r.name.startsWith('pr-')));
});

test('refs: pages of 100 beyond the first, each connection only as long as it has pages', async () => {
  const m = new RepoModel();
  m.commit('c', '2026-11-01T00:00:00Z');
  for (let i = 0; i < 250; i++) m.branch(`b${String(i).padStart(3, '0')}`, 'c');
  for (let i = 0; i < 130; i++) m.tag(`t${i}`, 'c');
  for (let i = 1; i <= 120; i++) m.pr(i, 'c');
  const w = await world(m);
  const refs = await w.history.refs();
  assert.is(refs.filter((r) => r.kind === 'branch' && !r.name.startsWith('pr-')).length, 250);
  assert.is(refs.filter((r) => r.kind === 'tag').length, 130);
  assert.is(refs.filter((r) => r.name.startsWith('pr-')).length, 120);
  assert.is(new Set(refs.map((r) => `${r.kind}:${r.name}`)).size, 500);
  assert.is(w.graphql(), 3);
});

test('commits: merges keep both parents in order; one page answers the parents from memory', async () => {
  const w = await world(sample());
  const first = await w.history.commits([oidOf('mm')]);
  assert.equal(first.get(oidOf('mm')), { id: oidOf('mm'), parents: [oidOf('m4'), oidOf('f1')], date: at('2026-11-20T06:00:00Z') });
  const parents = await w.history.commits([oidOf('m4'), oidOf('f1')]);
  assert.equal(parents.get(oidOf('f1'))?.parents, [oidOf('m2')]);
  assert.is(parents.size, 2);
  assert.is(w.graphql(), 1);
});

test('commits: several start commits in one aliased query; an unknown id is absent, and asked once', async () => {
  const w = await world(sample());
  const unknown = 'f'.repeat(40);
  const got = await w.history.commits([oidOf('p1'), oidOf('f1'), unknown, 'not-an-id']);
  assert.equal([...got.keys()].sort(), [oidOf('f1'), oidOf('p1')].sort());
  assert.is(w.graphql(), 1);
  assert.ok(w.server.requests[0]?.body.includes('a2: object(oid: $a2)'));
  assert.is((await w.history.commits([unknown])).size, 0);
  assert.is(w.graphql(), 1);
});

test('resolvePrefixes: unique prefixes resolve in one query; ambiguous, unknown and hex-named refs do not', async () => {
  const m = sample();
  m.commitWithId(`abcdef1${'0'.repeat(33)}`, '2026-11-01T00:00:00Z');
  m.commitWithId(`abcdef1${'1'.repeat(33)}`, '2026-11-01T00:00:00Z');
  m.branch('1234567', 'm1'); // a branch whose name looks like an abbreviated id
  const w = await world(m);
  const p1 = oidOf('p1').slice(0, 7);
  const upper = oidOf('m2').slice(0, 10).toUpperCase();
  const got = await w.history.resolvePrefixes([p1, upper, 'abcdef1', '0000000', '1234567', 'xyz']);
  assert.equal(Object.fromEntries(got), { [p1]: oidOf('p1'), [upper]: oidOf('m2') });
  assert.is(w.graphql(), 1);
});

test('resolvePrefixes: 100 a query by default (a lookup costs one point whatever its size)', async () => {
  const m = new RepoModel();
  const labels = m.line('c', 250, '2026-11-20T00:00:00Z', undefined, 3_600_000);
  m.branch('main', 'c250');
  const prefixes = labels.map((l) => oidOf(l).slice(0, 7));
  assert.is(new Set(prefixes).size, 250);
  const w = await world(m);
  const got = await w.history.resolvePrefixes(prefixes);
  assert.is(got.size, 250);
  assert.ok(labels.every((l) => got.get(oidOf(l).slice(0, 7)) === oidOf(l)));
  assert.is(w.graphql(), 3, '100 + 100 + 50');
  const small = await world(m, { history: { lookupBatch: 50 } });
  await small.history.resolvePrefixes(prefixes);
  assert.is(small.graphql(), 5, 'lookupBatch still sets the size');
});

test('lazy history: planning main with last: 1 reads one history page of a long branch', async () => {
  const m = new RepoModel();
  const labels = m.line('m', 250, '2026-11-20T00:00:00Z', undefined, 3_600_000);
  m.branch('main', 'm250');
  const g = new GraphBuilder();
  for (const l of labels) g.image({ name: l, tags: [l], revision: oidOf(l) });
  const w = await world(m, { history: { pullRequests: false } });
  const plan = await planFor(w.history, g, 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: main }\n      imagesPerReference: { last: 1 }\n');
  assert.equal(plan.kept.flatMap((k) => k.tags), ['m250']);
  assert.is(plan.delete.length, 249);
  assert.equal(w.history.stats(), { graphqlQueries: 2, restRequests: 0, commitsCached: 100, api: 'graphql' });
});

test('lazy history: a walk to the root reads page after page (100 commits each)', async () => {
  const m = new RepoModel();
  m.line('m', 250, '2026-11-20T00:00:00Z', undefined, 3_600_000);
  m.branch('main', 'm250');
  const g = new GraphBuilder();
  g.image({ name: 'root', tags: ['root'], revision: oidOf('m1') });
  const w = await world(m, { history: { pullRequests: false } });
  const plan = await planFor(w.history, g, 'cleanup:\n  keepImagesBuiltWithinLastNHours: 0\n  keepPolicies:\n    - references: { branch: main }\n      imagesPerReference: { last: 1 }\n');
  assert.equal(plan.kept.flatMap((k) => k.tags), ['root']);
  assert.equal(w.history.stats(), { graphqlQueries: 4, restRequests: 0, commitsCached: 250, api: 'graphql' });
});

/** Images for the sample repository, and what the policy below keeps of them. */
function sampleImages(): GraphBuilder {
  const g = new GraphBuilder();
  for (const l of ['m1', 'm2', 'm3', 'm4', 'f1', 'mm', 'p1']) g.image({ name: l, tags: [l], revision: oidOf(l) });
  g.image({ name: 'legacy', tags: [`sha-${oidOf('m2').slice(0, 7)}`] }); // no label: mapped through its abbreviated id
  return g;
}
const SAMPLE_POLICY = `cleanup:
  keepImagesBuiltWithinLastNHours: 0
  keepPolicies:
    - references: { tag: /v.*/ }
    - references: { branch: main }
      imagesPerReference: { last: 2 }
    - references: { branch: /pr-.*/ }
`;
const SAMPLE_KEPT = ['m1', 'm2', 'm4', 'mm', 'p1', `sha-${oidOf('m2').slice(0, 7)}`].sort();
const SAMPLE_DELETED = ['f1', 'm3'];

async function planFor(history: GitHubHistory, g: GraphBuilder, yaml: string) {
  const policy = parsePolicyText(yaml, 'test.yaml').policy;
  return planCleanup({
    registry: { name: 'ghcr.io/acme/app' }, graph: g.build(), policy, keepTags: policy.keepTags, history, clusterImages: [], now: at('2026-11-20T12:00:00Z'),
  });
}

test('end to end: core planCleanup over GitHubHistory keeps tags, main’s newest two, the fork PR', async () => {
  const w = await world(sample());
  const result = await planFor(w.history, sampleImages(), SAMPLE_POLICY);
  assert.equal(result.kept.flatMap((k) => k.tags).sort(), SAMPLE_KEPT);
  assert.equal(result.delete.flatMap((k) => k.tags).sort(), SAMPLE_DELETED);
  assert.is(w.history.stats().graphqlQueries, 3); // references, the abbreviated id, one history query for all tips
});

test('REST fallback: a 404 on /graphql switches to REST; same refs, history, prefixes and plan', async () => {
  const m = sample();
  for (let i = 0; i < 130; i++) m.branch(`z${String(i).padStart(3, '0')}`, 'm1'); // two pages of branches
  const w = await world(m, { graphql: false });
  const refs = (await w.history.refs()).filter((r) => !r.name.startsWith('z'));
  assert.equal(byName(refs), SAMPLE_REFS);
  assert.ok(w.logged.some((l) => l.startsWith('info') && l.includes('REST')));
  const got = await w.history.commits([oidOf('mm'), 'e'.repeat(40)]);
  assert.equal(got.get(oidOf('mm'))?.parents, [oidOf('m4'), oidOf('f1')]);
  assert.is(got.size, 1);
  const p = oidOf('m3').slice(0, 8);
  assert.equal(Object.fromEntries(await w.history.resolvePrefixes([p, '0000000'])), { [p]: oidOf('m3') });
  const result = await planFor(w.history, sampleImages(), SAMPLE_POLICY);
  assert.equal(result.kept.flatMap((k) => k.tags).sort(), SAMPLE_KEPT);
  assert.equal(result.delete.flatMap((k) => k.tags).sort(), SAMPLE_DELETED);
  assert.equal(w.violations, []);
  const s = w.history.stats();
  assert.is(s.api, 'rest');
  assert.is(s.graphqlQueries, 1);
  assert.ok(s.restRequests > 0 && s.restRequests === w.server.requests.filter((r) => r.url.startsWith('/repos/')).length);
});

test('a refused token is an InputError (GraphQL and REST)', async () => {
  for (const graphql of [true, false]) {
    const w = await world(sample(), { token: 'wrong', graphql, history: { api: graphql ? 'auto' : 'rest' } });
    const err = await w.history.refs().then(() => undefined, (e: unknown) => e);
    assert.instance(err, InputError);
    assert.match((err as Error).message, /token was refused/);
  }
});

test('a missing repository is an InputError naming it and the token scope (GraphQL and REST)', async () => {
  for (const api of ['auto', 'rest'] as const) {
    const w = await world(sample(), { history: { api, repo: 'nope' } });
    const err = await w.history.refs().then(() => undefined, (e: unknown) => e);
    assert.instance(err, InputError);
    assert.match((err as InputError).message, /acme\/nope was not found/);
    assert.match((err as InputError).hint ?? '', /contents: read/);
  }
});

test('fails closed: a page that keeps failing (502) after the retries is an IncompleteInputError', async () => {
  const down: Handler = (req, _body, res) => (req.url === '/graphql' ? sendJson(res, 502, { message: 'Server Error' }) : false);
  const w = await world(sample(), { before: [down] });
  const err = await w.history.commits([oidOf('mm')]).then(() => undefined, (e: unknown) => e);
  assert.instance(err, IncompleteInputError);
  assert.is((err as IncompleteInputError).input, 'git history of acme/app (GitHub)');
  assert.match((err as Error).message, /history from .* could not be read: GitHub answered 502/);
  assert.is(w.graphql(), 4); // the first try and three retries
  assert.equal(w.attempts.map((a) => `${a.method} ${a.status}`), Array(4).fill('POST 502'));
});

test('rate limits: waits for x-ratelimit-reset, then succeeds; a secondary limit that persists gives up', async () => {
  let first = true;
  const primary: Handler = (req, _body, res) => {
    if (req.url !== '/graphql' || !first) return false;
    first = false;
    return sendJson(res, 403, { message: 'API rate limit exceeded for user ID 1.' }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1) });
  };
  const w = await world(sample(), { before: [primary] });
  assert.equal(byName(await w.history.refs()), SAMPLE_REFS);
  assert.is(w.events.length, 1);
  assert.is(w.events[0]?.kind, 'primary');
  assert.ok(w.logged.some((l) => l.startsWith('warn') && l.includes('rate limit')));

  const secondary: Handler = (req, _body, res) =>
    req.url === '/graphql' ? sendJson(res, 403, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }, { 'retry-after': '2' }) : false;
  const v = await world(sample(), { before: [secondary] });
  const err = await v.history.refs().then(() => undefined, (e: unknown) => e);
  assert.instance(err, IncompleteInputError);
  assert.match((err as Error).message, /rate limit/);
  assert.equal(v.events.map((e) => [e.kind, e.retryAfterSeconds, e.retrying]), [['secondary', 2, true], ['secondary', 4, true], ['secondary', 8, true], ['secondary', 16, false]]);
  assert.is(v.graphql(), 4);
});

test('the fake GraphQL endpoint rejects queries that do not fit GitHub’s schema', async () => {
  const server = await startFakeServer([fakeGraphql({ models: [sample()] })]);
  open.push(server);
  const octokit = createOctokit({ baseUrl: server.url, retryBaseMs: 1, writeSpacingMs: 0 });
  const bad = async (query: string): Promise<string> => octokit.graphql(query).then(() => 'accepted', (e: unknown) => (e as Error).message);
  assert.match(await bad('{ repository(owner: "acme", name: "app") { refs(refPrefix: "refs/heads/", first: 1) { nodes { nam } } } }'), /Cannot query field "nam" on type "Ref"/);
  assert.match(await bad('{ repository(owner: "acme", name: "app") { refs(refPrefix: "refs/heads/") { nodes { name } } } }'), /must provide a `first` or `last`/);
  assert.match(await bad('{ repository(owner: "acme", name: "app") { refs(refPrefix: "refs/heads/", first: 101) { nodes { name } } } }'), /exceeds the `first` limit of 100/);
});

test('createOctokit: writeSpacingMs spaces GraphQL queries (for GitHub secondary limits)', async () => {
  const server = await startFakeServer([fakeGraphql({ models: [sample()] })]);
  open.push(server);
  const octokit = createOctokit({ baseUrl: server.url, retryBaseMs: 1, writeSpacingMs: 60 });
  const started = Date.now();
  const q = '{ repository(owner: "acme", name: "app") { name } }';
  await Promise.all([octokit.graphql(q), octokit.graphql(q), octokit.graphql(q)]);
  assert.ok(Date.now() - started >= 115, `took ${Date.now() - started} ms`);
});

test.run();
