/**
 * GitLabHttp's rate-limit handling (platform-facts.md §3.5): a 429 storm against the
 * fake GitLab (no request while `Retry-After` runs), and on a virtual clock with a scripted fetch:
 * pacing to requests-per-minute, waiting for `RateLimit-Reset` when `RateLimit-Remaining` is 0,
 * and BudgetExhausted for a wait too long to sit out.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BudgetExhausted, type Clock } from '@regsweep/core';
import { GitLabHttp, openGitLabProject } from '../src/index.js';
import { startWorld, TOKENS } from '@regsweep/test-kit/gitlab-world';

const test = suite('gitlab http');

function virtualClock(start = Date.parse('2026-12-01T12:00:00Z')): Clock & { t: number } {
  const clock = { t: start, now: () => new Date(clock.t), sleep: async (ms: number) => void (clock.t += Math.max(0, ms)) };
  return clock;
}

/** A fetch that answers 200 `[]` with the headers `headersFor(n)` gives the n-th request. */
function scripted(headersFor: (n: number) => { status?: number; headers: Record<string, string> }) {
  const sent: number[] = [];
  let n = 0;
  const fetch: typeof globalThis.fetch = async () => {
    const { status = 200, headers } = headersFor(n++);
    sent.push(n);
    return new Response(status === 429 ? 'Retry later\n' : '[]', { status, headers: { 'content-type': status === 429 ? 'text/plain' : 'application/json', ...headers } });
  };
  return { fetch, sent };
}

test('a 429 storm: every request waits out Retry-After, then the listing completes', async () => {
  const world = await startWorld(new Date('2026-12-01T12:00:00Z'));
  try {
    world.gitlab.startStorm(3, 1);
    const waits: number[] = [];
    const project = openGitLabProject({
      serverUrl: world.gitlab.url, auth: { kind: 'token', value: TOKENS.read }, projectId: '42', projectPath: 'acme/app', registry: world.gitlab.url,
      onRateLimit: (until) => waits.push(until),
    });
    const refs = await project.history.refs();
    assert.ok(refs.length >= 4);
    assert.is(world.gitlab.limitedUntil.length, 3);
    assert.is(project.http.stats().rateLimited, 3);
    for (const until of world.gitlab.limitedUntil) {
      const early = world.gitlab.requestTimes.filter((r) => r.path.startsWith('/api/') && r.at > until - 1000 + 5 && r.at < until - 50);
      assert.equal(early, [], 'no request while GitLab asked to wait');
    }
    assert.ok(waits.length >= 1, 'the pause is reported');
  } finally {
    await world.gitlab.close();
  }
});

test('pacing: no more than requests-per-minute, after a small burst', async () => {
  const clock = virtualClock();
  const start = clock.t;
  const { fetch } = scripted(() => ({ headers: {} }));
  const http = new GitLabHttp({ serverUrl: 'http://gitlab.test', auth: { kind: 'token', value: 't' }, fetch, clock, requestsPerMinute: 120, concurrency: 1 });
  for (let i = 0; i < 30; i++) await http.send('GET', http.api('/projects/1/repository/branches'));
  const seconds = (clock.t - start) / 1000;
  assert.ok(seconds >= 9.5, `30 requests at 2/s after a burst of 10 take at least 10 s (took ${seconds})`);
  assert.ok(seconds <= 15.5, `and not much longer (took ${seconds})`);
});

test('RateLimit-Remaining 0: the next request waits until RateLimit-Reset instead of earning a 429', async () => {
  const clock = virtualClock();
  const reset = Math.floor(clock.t / 1000) + 40;
  const { fetch, sent } = scripted((n) => ({ headers: { 'ratelimit-limit': '3', 'ratelimit-remaining': String(Math.max(0, 2 - n)), 'ratelimit-reset': String(reset) } }));
  const http = new GitLabHttp({ serverUrl: 'http://gitlab.test', auth: { kind: 'token', value: 't' }, fetch, clock, concurrency: 1 });
  const sentAt: number[] = [];
  for (let i = 0; i < 4; i++) {
    await http.send('DELETE', http.api('/projects/1/registry/repositories/1/tags/x'));
    sentAt.push(clock.t);
  }
  assert.is(sent.length, 4);
  assert.ok((sentAt[3] ?? 0) >= reset * 1000, 'the fourth waited for the reset');
  assert.is(http.stats().rateLimited, 0);
});

test('429 without Retry-After: wait until RateLimit-Reset', async () => {
  const clock = virtualClock();
  const reset = Math.floor(clock.t / 1000) + 20;
  const limited: Record<string, string> = { 'ratelimit-remaining': '0', 'ratelimit-reset': String(reset) };
  const { fetch } = scripted((n) => (n === 0 ? { status: 429, headers: limited } : { headers: {} }));
  const http = new GitLabHttp({ serverUrl: 'http://gitlab.test', auth: { kind: 'token', value: 't' }, fetch, clock });
  const res = await http.send('GET', http.api('/projects/1'));
  assert.is(res.status, 200);
  assert.ok(clock.t >= reset * 1000);
});

test('a Retry-After longer than regsweep waits: BudgetExhausted (the run stops cleanly)', async () => {
  const clock = virtualClock();
  const { fetch } = scripted(() => ({ status: 429, headers: { 'retry-after': '3600' } }));
  const http = new GitLabHttp({ serverUrl: 'http://gitlab.test', auth: { kind: 'token', value: 't' }, fetch, clock, maxWaitMs: 60_000 });
  try {
    await http.send('DELETE', http.api('/projects/1/registry/repositories/1/tags/x'));
    assert.unreachable();
  } catch (err) {
    assert.instance(err, BudgetExhausted);
    assert.match((err as Error).message, /3600 s, longer than the 60 s regsweep waits/);
  }
});

test('the job token goes in JOB-TOKEN, an access token in PRIVATE-TOKEN', () => {
  const job = new GitLabHttp({ serverUrl: 'http://g', auth: { kind: 'job', value: 'j' } });
  const pat = new GitLabHttp({ serverUrl: 'http://g', auth: { kind: 'token', value: 'p' } });
  assert.equal(job.authHeaders(), { 'JOB-TOKEN': 'j' });
  assert.equal(pat.authHeaders(), { 'PRIVATE-TOKEN': 'p' });
});

test.run();
