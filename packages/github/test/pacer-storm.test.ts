/**
 * Rate limits without a second 403 (issue 12 item 6), on a virtual clock: writes in flight are bounded
 * by what the rate needs at the measured latency; after a 403 with retry-after nothing leaves before
 * the time it names, queued or not; then one request goes alone, so a limit that outlasts its
 * retry-after meets one request per retry, not every queued one.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pacer, writeSlotsFor, type HeaderBag, type SendEvent } from '../src/pacer.js';
import { drive, VirtualClock } from './support/virtual-clock.js';

const DEL = 'DELETE /orgs/{org}/packages/container/{package_name}/versions/{package_version_id}';
/** GitHub's delete rate: 900 points a minute at 5 a delete (the pacer adds its 250 ms margin). */
const RATE = 900 / 5 / 60_250;

test('the rule: writes in flight ≤ ceil(rate × latency) + 1, the first alone, never above the concurrency', () => {
  assert.is(writeSlotsFor(RATE, undefined, 10), 1, 'nothing measured yet: one write');
  assert.is(writeSlotsFor(RATE, 50, 10), 2);
  assert.is(writeSlotsFor(RATE, 300, 10), 2);
  assert.is(writeSlotsFor(RATE, 1000, 10), 4);
  assert.is(writeSlotsFor(RATE, 10_000, 10), 10, 'bounded by the concurrency');
  assert.is(writeSlotsFor(RATE, 0, 10), 1);
});

test('at 1 s latency 20 workers keep 4 deletes in flight and still reach 180 a minute', async () => {
  const clock = new VirtualClock();
  const sends: SendEvent[] = [];
  const pacer = new Pacer({ clock, concurrency: 20, marginMs: 0, onSend: (e) => sends.push(e) });
  const start = clock.t;
  await clock.run(drive(pacer, clock, Array.from({ length: 540 }, () => ({ endpoint: DEL, method: 'DELETE' as const })), 20, 1000));
  const perMinute = [0, 1, 2].map((m) => sends.filter((s) => s.at - start >= m * 60_000 && s.at - start < (m + 1) * 60_000).length);
  assert.equal(perMinute, [180, 180, 180]);
  assert.is(pacer.stats().maxWritesInFlight, 4);
});

interface Storm {
  /** When the platform starts and stops refusing. */
  from: number;
  until: number;
  /** The retry-after it answers (seconds); default: the time left until `until`. */
  retryAfterS?: number;
}

interface StormRun {
  sends: SendEvent[];
  answers: { sentAt: number; at: number; limited: boolean; probe: boolean }[];
  pacer: Pacer;
}

/** `count` deletes by `workers` workers at `latencyMs`, against a platform that refuses during `storm`. */
async function runStorm(count: number, workers: number, latencyMs: number, storm: Storm): Promise<StormRun> {
  const clock = new VirtualClock();
  clock.t = 0;
  const sends: SendEvent[] = [];
  const answers: StormRun['answers'] = [];
  const pacer = new Pacer({ clock, concurrency: workers, onSend: (e) => sends.push(e) });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      for (;;) {
        const permit = await pacer.acquire(DEL, 'DELETE');
        const sent = sends.at(-1) as SendEvent;
        await clock.sleep(latencyMs);
        // The platform decides when the request arrives: half way.
        const arrival = sent.at + latencyMs / 2;
        const limited = arrival >= storm.from && arrival < storm.until;
        const headers: HeaderBag = limited ? { 'retry-after': String(storm.retryAfterS ?? Math.ceil((storm.until - arrival) / 1000)) } : {};
        answers.push({ sentAt: sent.at, at: clock.t, limited, probe: sent.probe });
        permit.release(headers);
        if (!limited) break;
        pacer.limited(headers);
      }
    }
  };
  await clock.run(Promise.all(Array.from({ length: workers }, worker)));
  return { sends, answers, pacer };
}

test('a storm that ends when it says: 403s only for the writes in flight, nothing sent inside retry-after', async () => {
  const { sends, answers, pacer } = await runStorm(200, 20, 200, { from: 10_000, until: 70_000 });
  const refused = answers.filter((a) => a.limited);
  const first = Math.min(...refused.map((a) => a.at));
  assert.is(pacer.stats().maxWritesInFlight, writeSlotsFor(RATE, 200, 20), '2 deletes in flight at 200 ms, not the 20 workers');
  assert.ok(refused.length >= 1 && refused.length <= pacer.stats().maxWritesInFlight, `${refused.length} 403s, ${pacer.stats().maxWritesInFlight} in flight at most`);
  assert.ok(refused.every((a) => a.sentAt < first), 'every refused request had left before the first 403 came back');
  const inside = sends.filter((s) => s.at >= first && s.at < 70_000);
  assert.equal(inside.map((s) => s.at), [], 'no request leaves after the first 403 and before the time it named');
  assert.is(sends.filter((s) => s.probe).length, 1, 'one probe after the pause');
  assert.is(answers.filter((a) => !a.limited).length, 200);
});

test('a storm that outlasts its retry-after: one probe meets it each time, queued writes wait', async () => {
  const { sends, answers, pacer } = await runStorm(200, 20, 200, { from: 10_000, until: 45_000, retryAfterS: 10 });
  const refused = answers.filter((a) => a.limited);
  const firstBatch = refused.filter((a) => !a.probe);
  const probes = refused.filter((a) => a.probe);
  assert.ok(firstBatch.length <= pacer.stats().maxWritesInFlight, `${firstBatch.length} in the first batch`);
  assert.ok(probes.length >= 3 && probes.length <= 4, `${probes.length} refused probes`);
  // While a probe is out, nothing else is.
  for (const p of sends.filter((s) => s.probe)) {
    const answer = answers.find((a) => a.sentAt === p.at && a.probe);
    const overlapping = sends.filter((s) => s !== p && s.at >= p.at && s.at < (answer?.at ?? Infinity));
    assert.equal(overlapping.length, 0, `requests sent while the probe of ${p.at} was out`);
  }
  assert.is(refused.length, firstBatch.length + probes.length);
  assert.is(answers.filter((a) => !a.limited).length, 200);
});

test.run();
