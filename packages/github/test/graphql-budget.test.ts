/**
 * GraphQL paced by GitHub's GraphQL point budget (graphql-budget.ts), through a real Octokit against a
 * node:http fake that sends GitHub's `x-ratelimit-*` headers with `x-ratelimit-resource: graphql`. The
 * clock is a fake one: every wait is recorded, none is slept, so what is asserted is what the budget
 * waits for, never how long a run took.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BudgetExhausted, type Clock } from '@regsweep/core';
import { isBudgetStop } from '@regsweep/core/internal';
import { createOctokit, GitHubHistory, GraphqlBudget } from '../src/index.js';
import { fakeGraphql, RepoModel } from '@regsweep/test-kit/fake-graphql';
import { startFakeServer, type FakeServer, type Handler } from '@regsweep/test-kit/server';

const TOKEN = 'test-token';
const open: FakeServer[] = [];
test.after.each(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** A clock that records waits and jumps over them. */
class JumpingClock implements Clock {
  readonly waits: number[] = [];
  constructor(public t: number) {}
  now(): Date {
    return new Date(this.t);
  }
  async sleep(ms: number): Promise<void> {
    this.waits.push(ms);
    this.t += ms;
  }
}

function model(): RepoModel {
  const m = new RepoModel();
  m.line('m', 3, '2026-11-20T00:00:00Z');
  m.branch('main', 'm3');
  return m;
}

/** GraphQL answers carrying the budget `remaining()` says, resetting at `resetS` (epoch seconds). */
async function server(remaining: () => number, resetS: number, resource = 'graphql'): Promise<FakeServer> {
  const headers: Handler = (req, _body, res) => {
    if (req.url === '/graphql') {
      res.setHeader('x-ratelimit-resource', resource);
      res.setHeader('x-ratelimit-limit', '1000');
      res.setHeader('x-ratelimit-remaining', String(remaining()));
      res.setHeader('x-ratelimit-reset', String(resetS));
    }
    return false;
  };
  const s = await startFakeServer([headers, fakeGraphql({ models: [model()], token: TOKEN })]);
  open.push(s);
  return s;
}

const QUERY = '{ repository(owner: "acme", name: "app") { name } }';

test('queries go out back to back while the budget lasts: no spacing, no wait', async () => {
  const clock = new JumpingClock(Date.parse('2026-11-20T12:00:00Z'));
  const s = await server(() => 900, Math.floor(clock.t / 1000) + 3600);
  const budget = new GraphqlBudget({ clock });
  const octokit = createOctokit({ token: TOKEN, baseUrl: s.url, retryBaseMs: 1, graphqlBudget: budget });
  await Promise.all(Array.from({ length: 30 }, () => octokit.graphql(QUERY)));
  assert.is(s.requests.filter((r) => r.url === '/graphql').length, 30);
  assert.equal(clock.waits, []);
});

test('down to the reserve: the next query waits for the reset the answers named, then goes', async () => {
  const clock = new JumpingClock(Date.parse('2026-11-20T12:00:00Z'));
  const resetS = Math.floor(clock.t / 1000) + 30;
  let left = 22;
  const s = await server(() => (left -= 1), resetS);
  const budget = new GraphqlBudget({ clock, reserve: 20 });
  const octokit = createOctokit({ token: TOKEN, baseUrl: s.url, retryBaseMs: 1, graphqlBudget: budget });
  await octokit.graphql(QUERY); // remaining 21
  assert.equal(clock.waits, []);
  await octokit.graphql(QUERY); // remaining 20: the reserve
  assert.equal(clock.waits, []);
  await octokit.graphql(QUERY); // waits until the reset (+1 s), nothing sent before
  assert.equal(clock.waits, [resetS * 1000 - Date.parse('2026-11-20T12:00:00Z') + 1000]);
  assert.is(s.requests.filter((r) => r.url === '/graphql').length, 3);
});

test('a reset further away than maxWaitMs stops the run resumably (BudgetExhausted), through GitHubHistory', async () => {
  const clock = new JumpingClock(Date.parse('2026-11-20T12:00:00Z'));
  const s = await server(() => 5, Math.floor(clock.t / 1000) + 3000);
  const budget = new GraphqlBudget({ clock, maxWaitMs: 60_000 });
  const octokit = createOctokit({ token: TOKEN, baseUrl: s.url, retryBaseMs: 1, graphqlBudget: budget });
  await octokit.graphql(QUERY);
  const direct = await octokit.graphql(QUERY).then(() => undefined, (e: unknown) => e);
  assert.instance(direct, BudgetExhausted);
  const history = new GitHubHistory({ octokit, owner: 'acme', repo: 'app' });
  const err = await history.refs().then(() => undefined, (e: unknown) => e);
  assert.ok(isBudgetStop(err), String(err));
  assert.is(s.requests.filter((r) => r.url === '/graphql').length, 1, 'nothing more was sent');
});

test('the secondary limit: at most perMinute queries in any minute', async () => {
  const clock = new JumpingClock(Date.parse('2026-11-20T12:00:00Z'));
  const s = await server(() => 900, Math.floor(clock.t / 1000) + 3600);
  const budget = new GraphqlBudget({ clock, perMinute: 3 });
  const octokit = createOctokit({ token: TOKEN, baseUrl: s.url, retryBaseMs: 1, graphqlBudget: budget });
  for (let i = 0; i < 4; i++) await octokit.graphql(QUERY);
  assert.equal(clock.waits, [60_000], 'the 4th waits until the 1st leaves the window');
});

test('answers about another resource do not move the GraphQL budget', async () => {
  const clock = new JumpingClock(Date.parse('2026-11-20T12:00:00Z'));
  const s = await server(() => 0, Math.floor(clock.t / 1000) + 30, 'core');
  const budget = new GraphqlBudget({ clock });
  const octokit = createOctokit({ token: TOKEN, baseUrl: s.url, retryBaseMs: 1, graphqlBudget: budget });
  await octokit.graphql(QUERY);
  await octokit.graphql(QUERY);
  assert.equal(clock.waits, []);
});

test.run();
