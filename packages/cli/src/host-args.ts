/** `regsweep host cleanup|purge` words → a plain command object (args.ts parses the flags common to every command). */
import { InputError } from '@regsweep/core';
import { DURATION_EXPECTED, parseDuration } from '@regsweep/core/internal';
import type { LeftoverLabel } from '@regsweep/core';
import { positiveInt, type CommonArgs } from './args-common.js';

export interface HostCommand extends CommonArgs {
  kind: 'host';
  mode: 'cleanup' | 'purge';
  /** `--config`: where the repositories come from when no --registry is given. */
  config?: string;
  dockerHost?: string;
  maxDeletions?: number;
  safetyWindowMs: number;
  allowedVolumeUsage: number;
  allowedVolumeUsageMargin: number;
  removeStoppedContainers: boolean;
  leftoverLabels: LeftoverLabel[];
  registrySync: boolean;
}

type Values = Record<string, string | boolean | Array<string | boolean> | undefined>;

/** `host cleanup` / `host purge` from the word after `host`. */
export function hostCommandName(word: string | undefined): 'host cleanup' | 'host purge' {
  if (word === 'cleanup' || word === 'purge') return `host ${word}`;
  throw new InputError(`host: expected cleanup or purge after it${word === undefined ? '' : `, got ${JSON.stringify(word)}`}`,
    'run `regsweep host cleanup --help` or `regsweep host purge --help`');
}

/** A percentage flag: a number from 0 to 100. */
function percent(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = /^\d{1,3}(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 0 && n <= 100)) throw new InputError(`--${flag}: expected a percentage from 0 to 100, got ${JSON.stringify(text)}`, `e.g. --${flag} ${fallback}`);
  return n;
}

function leftoverLabel(text: string): LeftoverLabel {
  const eq = text.indexOf('=');
  const key = eq < 0 ? text : text.slice(0, eq);
  if (key.trim() === '') throw new InputError(`--leftover-label ${JSON.stringify(text)}: expected KEY or KEY=VALUE`, 'e.g. --leftover-label org.opencontainers.image.source=https://github.com/acme/app');
  return eq < 0 ? { key } : { key, value: text.slice(eq + 1) };
}

export function hostCommand(verb: 'host cleanup' | 'host purge', values: Values, common: CommonArgs): HostCommand {
  const mode = verb === 'host purge' ? 'purge' : 'cleanup';
  if (mode === 'purge' && values.yes !== true && !common.dryRun) {
    throw new InputError('host purge removes every local image of the repositories and needs --yes to confirm', 'add --dry-run to see what it would remove, or --yes to do it');
  }
  const windowText = values['safety-window'] as string | undefined;
  const safetyWindowMs = windowText === undefined ? 2 * 3_600_000 : parseDuration(windowText);
  if (safetyWindowMs === undefined) throw new InputError(`--safety-window: ${DURATION_EXPECTED}, got ${JSON.stringify(windowText)}`, 'e.g. --safety-window 2h');
  const allowedVolumeUsage = percent('allowed-volume-usage', values['allowed-volume-usage'] as string | undefined, 70);
  const allowedVolumeUsageMargin = percent('allowed-volume-usage-margin', values['allowed-volume-usage-margin'] as string | undefined, 5);
  if (allowedVolumeUsageMargin > allowedVolumeUsage) {
    throw new InputError(`--allowed-volume-usage-margin ${allowedVolumeUsageMargin} is more than --allowed-volume-usage ${allowedVolumeUsage}`, 'the margin is points below the allowed usage: pick a smaller margin');
  }
  const maxDeletions = positiveInt('max-deletions', values['max-deletions'] as string | undefined, undefined);
  return {
    ...common, kind: 'host', mode,
    ...(typeof values.config === 'string' ? { config: values.config } : {}),
    ...(typeof values['docker-host'] === 'string' ? { dockerHost: values['docker-host'] } : {}),
    ...(maxDeletions !== undefined ? { maxDeletions } : {}),
    safetyWindowMs, allowedVolumeUsage, allowedVolumeUsageMargin,
    removeStoppedContainers: values['remove-stopped-containers'] === true,
    leftoverLabels: ((values['leftover-label'] as string[] | undefined) ?? []).map(leftoverLabel),
    registrySync: values['without-registry-sync'] !== true && mode === 'cleanup',
  };
}
