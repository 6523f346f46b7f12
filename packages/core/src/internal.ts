/**
 * Everything in packages/core, for regsweep's own adapters and front ends (`@regsweep/core/internal`):
 * pacing, listings read until they agree, the executor, the planner's parts. No stability promise: the
 * supported API is the package's main entry (index.ts).
 */
export * from './ports.js';
export * from './errors.js';
export type * from './policy/types.js';
export * from './graph/manifest.js';
export * from './graph/graph.js';
export * from './graph/inventory.js';
export * from './graph/listing-check.js';
export * from './image-ref.js';
export * from './plan/types.js';
export * from './plan/mapping.js';
export * from './plan/select-refs.js';
export * from './plan/walk.js';
export * from './plan/planner.js';
export * from './execute/executor.js';
export * from './execute/recheck.js';
export * from './report/report.js';
export * from './report/summary.js';
export * from './run.js';
export * from './util/pool.js';
export * from './util/redact.js';
export * from './policy/index.js';
export { compileLinearRegex, isLinearRegex, MAX_REGEX_LENGTH, type LinearRegex, type RegexMode } from './util/linear-regex.js';
export * from './history-cache.js';
export * from './pace/pacer.js';
export * from './pipeline/budget.js';
export * from './pipeline/order.js';
export * from './pipeline/pipeline.js';
export * from './util/strict-values.js';
export { VERSION } from './version.js';
export { namesImage } from './plan/explain-target.js';
export { PointsWindow } from './pace/points-window.js';
export { parseDuration, formatDuration, DURATION_EXPECTED } from './policy/duration.js';
export * from './host/host-refs.js';
export * from './host/host-plan.js';
export * from './host/host-run.js';
export type * from './host/types.js';
export * from './host/from-report.js';
