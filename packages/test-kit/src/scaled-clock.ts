/** A clock running `speed` times faster than real time, shared by the fake and the code under test. */
export function scaledClock(speed: number): { now(): Date; ms(): number; sleep(ms: number): Promise<void>; speed: number } {
  const base = Date.now();
  const t0 = performance.now();
  const ms = (): number => Math.round(base + (performance.now() - t0) * speed);
  return {
    speed,
    ms,
    now: () => new Date(ms()),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms) / speed)),
  };
}
