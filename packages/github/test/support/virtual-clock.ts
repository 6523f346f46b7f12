/** A virtual clock for pacer tests, and a driver that runs requests through a pacer on it. */
import type { HttpMethod, Pacer } from '../../src/pacer.js';

/** Virtual time: `sleep` queues a timer; `run` fires timers in order whenever nothing else can move. */
export class VirtualClock {
  t = Date.UTC(2026, 10, 20, 12);
  private timers: { at: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;
  now = (): Date => new Date(this.t);
  sleep = (ms: number): Promise<void> => new Promise((resolve) => void this.timers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, resolve }));
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    work.then(() => (settled = true), () => (settled = true));
    for (;;) {
      await new Promise((r) => setImmediate(r));
      if (settled) return work;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (next === undefined) throw new Error('deadlock: nothing to wait for');
      this.t = Math.max(this.t, next.at);
      next.resolve();
    }
  }
}

/** `jobs` through `workers` workers, each request taking `latencyMs`. */
export async function drive(pacer: Pacer, clock: VirtualClock, jobs: { endpoint: string; method: HttpMethod }[], workers: number, latencyMs: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++] as { endpoint: string; method: HttpMethod };
      const permit = await pacer.acquire(job.endpoint, job.method);
      await clock.sleep(latencyMs);
      permit.release({}); // an answer (with no budget headers): its time counts as a measured latency
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
}
