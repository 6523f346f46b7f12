/** The write pacer against GitHub's documented limits, on a virtual clock (platform-facts.md §2.6-§2.7). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BudgetExhausted } from '@regsweep/core';
import { limitVerdict, Pacer, writeFitsBudget, type HttpMethod, type PacerOptions, type SendEvent } from '../src/pacer.js';
import { drive, VirtualClock } from './support/virtual-clock.js';

function setup(options: PacerOptions = {}): { clock: VirtualClock; pacer: Pacer; sends: SendEvent[] } {
  const clock = new VirtualClock();
  const sends: SendEvent[] = [];
  const pacer = new Pacer({ clock, onSend: (e) => sends.push(e), ...options });
  return { clock, pacer, sends };
}

/** The most points any 60 s window (t-60 s, t] holds, per endpoint. */
function maxWindowPoints(sends: SendEvent[], endpoint: string): number {
  const mine = sends.filter((s) => s.endpoint === endpoint);
  let max = 0;
  for (const s of mine) max = Math.max(max, mine.filter((o) => o.at > s.at - 60_000 && o.at <= s.at).reduce((sum, o) => sum + o.points, 0));
  return max;
}

const DEL = 'DELETE /orgs/{org}/packages/container/{package_name}/versions/{package_version_id}';
const LIST = 'GET /orgs/{org}/packages/container/{package_name}/versions';

test('180 deletes a minute, sustained, and never more than 900 points in any 60 s window', async () => {
  const { clock, pacer, sends } = setup({ marginMs: 0, concurrency: 20 });
  const start = clock.t;
  await clock.run(drive(pacer, clock, Array.from({ length: 900 }, () => ({ endpoint: DEL, method: 'DELETE' as const })), 20, 300));
  assert.is(sends.length, 900);
  assert.ok(maxWindowPoints(sends, DEL) <= 900, `window holds ${maxWindowPoints(sends, DEL)} points`);
  const perMinute = [0, 1, 2, 3, 4].map((m) => sends.filter((s) => s.at - start >= m * 60_000 && s.at - start < (m + 1) * 60_000).length);
  assert.equal(perMinute, [180, 180, 180, 180, 180], `deletes per minute: ${perMinute.join(', ')}`);
  assert.is(pacer.stats().maxWritesInFlight, 2, '20 workers, but 2 deletes in flight hold 3 a second at 300 ms');
  // Spread, not a minute's worth at once: the first second holds the burst (100 points = 20 deletes) and
  // what refills in a second (15 points = 3 deletes).
  assert.ok(sends.filter((s) => s.at - start < 1000).length <= 23, `${sends.filter((s) => s.at - start < 1000).length} in the first second`);
});

test('the default margin (250 ms) costs under 1 %: 720 deletes within 4 minutes', async () => {
  const { clock, pacer, sends } = setup({ concurrency: 20 });
  await clock.run(drive(pacer, clock, Array.from({ length: 720 }, () => ({ endpoint: DEL, method: 'DELETE' as const })), 20, 300));
  const span = (sends.at(-1)?.at ?? 0) - (sends[0]?.at ?? 0);
  assert.ok(span <= 4 * 60_000 && span >= 3 * 60_250, `720 deletes took ${span} ms`);
  assert.ok(maxWindowPoints(sends, DEL) <= 900);
});

test('reads cost 1 and share the endpoint window with writes; another endpoint is not held up', async () => {
  const { clock, pacer, sends } = setup({ marginMs: 0, concurrency: 10, burstPoints: Infinity });
  const jobs = Array.from({ length: 600 }, (_, i) => (i % 3 === 0 ? { endpoint: DEL, method: 'GET' as const } : { endpoint: DEL, method: 'DELETE' as const }));
  const other = drive(pacer, clock, Array.from({ length: 50 }, () => ({ endpoint: LIST, method: 'GET' as const })), 2, 10);
  await clock.run(Promise.all([drive(pacer, clock, jobs, 10, 100), other]));
  assert.ok(maxWindowPoints(sends, DEL) <= 900, `window holds ${maxWindowPoints(sends, DEL)}`);
  const lastList = Math.max(...sends.filter((s) => s.endpoint === LIST).map((s) => s.at));
  assert.ok(lastList - (sends[0]?.at ?? 0) < 1000, `the other endpoint finished after ${lastList - (sends[0]?.at ?? 0)} ms`);
  // Without the bucket, the window alone spaces requests: the first read and the first write leave at
  // once (the write alone: no latency measured yet), then writes as many as 100 ms latency needs.
  assert.ok(sends.filter((s) => s.endpoint === DEL && s.at === sends[0]?.at).length >= 2, 'free slots at once');
  assert.is(pacer.stats().maxWritesInFlight, 2, 'ceil(3/s × 0.1 s) + 1 writes in flight');
});

test('never more requests in flight than configured, and never more than 100', async () => {
  for (const [asked, expected] of [[7, 7], [500, 100]] as const) {
    const { clock, pacer } = setup({ concurrency: asked, burstPoints: Infinity });
    const jobs = Array.from({ length: 400 }, (_, i) => ({ endpoint: `GET /e${i % 40}`, method: 'GET' as const }));
    await clock.run(drive(pacer, clock, jobs, 400, 1000));
    assert.is(pacer.stats().maxInFlight, expected);
  }
});

test('pause: nothing starts before the pause ends; retry-after, the primary reset and the fallback', async () => {
  const { clock, pacer, sends } = setup();
  const t0 = clock.t;
  pacer.pause(t0 + 30_000);
  await clock.run(drive(pacer, clock, [{ endpoint: DEL, method: 'DELETE' }], 1, 10));
  assert.is(sends[0]?.at, t0 + 30_000);
  const v = pacer.limited({ 'retry-after': '60' });
  assert.equal(v, { kind: 'secondary', untilMs: clock.t + 60_000 });
  const before = clock.t;
  await clock.run(drive(pacer, clock, [{ endpoint: LIST, method: 'GET' }], 1, 10));
  assert.is(sends[1]?.at, before + 60_000, 'no request of any endpoint during the pause');
  // Fallback without retry-after: 60 s, then doubled while it repeats.
  assert.is(limitVerdict({}, 0, 60_000).untilMs, 60_000);
  const a = pacer.limited({});
  const b = pacer.limited({});
  assert.is(a.untilMs - clock.t, 60_000);
  assert.is(b.untilMs - clock.t, 120_000);
  const reset = Math.floor(clock.t / 1000) + 600;
  assert.equal(limitVerdict({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) }, clock.t, 60_000), { kind: 'primary', untilMs: reset * 1000 + 1000 });
  assert.is(pacer.stats().limited, 3);
});

function budgetRun(concurrency: number) {
  const { clock, pacer, sends } = setup({ reserve: 50, concurrency });
  const server = { remaining: 60 };
  const reset = Math.floor(clock.t / 1000) + 3600;
  pacer.observe({ 'x-ratelimit-remaining': String(server.remaining), 'x-ratelimit-reset': String(reset), 'x-ratelimit-limit': '1000' });
  const results: string[] = [];
  const one = async (method: HttpMethod): Promise<void> => {
    try {
      const permit = await pacer.acquire(DEL, method);
      server.remaining -= 1;
      await clock.sleep(200);
      // Releases without headers count too (the estimate goes down per request let through).
      permit.release(server.remaining % 2 === 0 ? { 'x-ratelimit-remaining': String(server.remaining), 'x-ratelimit-reset': String(reset) } : undefined);
      results.push('sent');
    } catch (error) {
      assert.instance(error, BudgetExhausted);
      assert.is((error as BudgetExhausted).resumeAt?.getTime(), reset * 1000);
      results.push('stopped');
    }
  };
  return { clock, pacer, sends, server, reset, results, one };
}

test('primary budget: writes stop while the reserve is left; reads go on; after the reset writes resume', async () => {
  const { clock, pacer, sends, reset, results, one } = budgetRun(1);
  await clock.run(Promise.all(Array.from({ length: 15 }, () => one('DELETE'))));
  assert.is(results.filter((r) => r === 'sent').length, 10, results.join(','));
  assert.is(pacer.stats().budgetStops, 5);
  assert.not.ok(pacer.canWrite());
  await clock.run(one('GET'));
  assert.is(results.at(-1), 'sent', 'reads still go');
  assert.ok(writeFitsBudget(51, 50) && !writeFitsBudget(50, 50) && writeFitsBudget(undefined, 50));
  clock.t = reset * 1000;
  assert.ok(pacer.canWrite(), 'a new hour');
  await clock.run(one('DELETE'));
  assert.is(results.at(-1), 'sent');
  assert.is(sends.length, 12);
});

test('primary budget with requests in flight: conservative, never below the reserve at GitHub', async () => {
  const { clock, server, results, one } = budgetRun(4);
  await clock.run(Promise.all(Array.from({ length: 15 }, () => one('DELETE'))));
  const sent = results.filter((r) => r === 'sent').length;
  // An answer may not count the requests still in flight: the estimate counts them (up to 3 too many).
  assert.ok(sent >= 7 && sent <= 10, `${sent} sent`);
  assert.ok(server.remaining >= 50, `GitHub has ${server.remaining} left`);
});

test('an exhausted primary budget: writes stop at once, reads wait for a near reset and give up on a far one', async () => {
  const { clock, pacer, sends } = setup({ maxWaitMs: 15 * 60_000 });
  const near = Math.floor(clock.t / 1000) + 300;
  assert.is(pacer.limited({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(near) }).kind, 'primary');
  await clock.run(pacer.acquire(DEL, 'DELETE').then(() => assert.unreachable('a write went out'), (e: unknown) => assert.instance(e, BudgetExhausted)));
  const t0 = clock.t;
  await clock.run(drive(pacer, clock, [{ endpoint: LIST, method: 'GET' }], 1, 10));
  assert.ok((sends[0]?.at ?? 0) >= near * 1000 && (sends[0]?.at ?? 0) - t0 <= 302_000, 'the read waited for the reset');
  const far = Math.floor(clock.t / 1000) + 3000;
  pacer.limited({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(far) });
  await clock.run(pacer.acquire(LIST, 'GET').then(() => assert.unreachable('waited an hour'), (e: unknown) => {
    assert.instance(e, BudgetExhausted);
    assert.match((e as Error).message, /longer than the 900 s/);
  }));
  assert.is(sends.length, 1);
});

test.run();
