/**
 * The run's named phases (listing, reading manifests, planning, checking the plan, deleting) as
 * collapsible groups of the Actions log (`::group::` … `::endgroup::`): each repository's phase opens
 * a group that the next phase, or the end of the run, closes; progress lines land inside.
 */
import type { PhaseName } from '@regsweep/core';
import type { ActionIo } from './action-io.js';

export interface LogGroups {
  phase(repository: string, phase: PhaseName): void;
  close(): void;
}

export function logGroups(io: Pick<ActionIo, 'info'>): LogGroups {
  let open = false;
  const close = (): void => {
    if (open) io.info('::endgroup::');
    open = false;
  };
  return {
    phase: (repository, phase) => {
      close();
      io.info(`::group::regsweep: ${repository}: ${phase}`);
      open = true;
    },
    close,
  };
}
