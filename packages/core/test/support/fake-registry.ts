/** A `Registry` held in memory, recording every call, with scripted failures per digest. */
import { BudgetExhausted, DeleteSkipped, RegistryError, type Clock, type DeleteOutcome, type ListedImage, type RawManifest, type Registry } from '../../src/ports.js';

export type Failure = 'transient' | 'fatal' | 'skip' | 'gone' | 'budget';

export class FakeRegistry implements Registry {
  readonly name = 'fake/repo';
  readonly capabilities = { listsUntagged: true, deletesTagAlone: false };
  readonly deleted: string[] = [];
  /** Scripted answers per digest, consumed one per call. */
  readonly failures = new Map<string, Failure[]>();
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly listing: ListedImage[] = []) {}

  async list(): Promise<ListedImage[]> {
    return this.listing;
  }
  async getManifest(): Promise<RawManifest> {
    throw new Error('not used');
  }
  async getBlobJson(): Promise<unknown> {
    throw new Error('not used');
  }
  async deleteImage(image: ListedImage): Promise<DeleteOutcome> {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setTimeout(r, 1));
    this.inFlight -= 1;
    const f = this.failures.get(image.digest)?.shift();
    if (f === 'transient') throw new RegistryError('503 Service Unavailable', { transient: true, status: 503 });
    if (f === 'fatal') throw new RegistryError('403 denied', { status: 403 });
    if (f === 'skip') throw new DeleteSkipped('You cannot delete the last tagged version of a package');
    if (f === 'gone') return 'gone';
    if (f === 'budget') throw new BudgetExhausted('the hourly request budget is spent');
    this.deleted.push(image.digest);
    return 'deleted';
  }
}

export function instantClock(now = new Date('2026-11-20T12:00:00Z')): Clock & { slept: number[] } {
  const slept: number[] = [];
  return { slept, now: () => now, sleep: async (ms: number) => void slept.push(ms) };
}
