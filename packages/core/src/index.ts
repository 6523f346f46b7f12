/**
 * `@regsweep/core`: regsweep's cleanup engine as a library. This entry point is the supported API —
 * what a program needs to plan and apply a cleanup with registries, histories and clusters of its own:
 *
 * - **Ports** you implement: {@link Registry} (list, read and delete images), {@link GitHistory}
 *   (references and commits), {@link ClusterImages} (what workloads run), {@link Clock}.
 * - **Policies**: {@link policyFromText} / {@link parsePolicyText} turn a `.regsweep.yml` or a
 *   `werf.yaml` into a validated {@link CleanupPolicy}; {@link defaultCleanupPolicy} is werf's default.
 * - **The pipeline**: {@link runPipeline} does a whole run (policy, clusters, every repository, one
 *   deletion budget) and fills a {@link Report} made by {@link emptyReport}; {@link renderSummary} writes
 *   the summary a person reads.
 * - **Plans and reports**: the types of what was decided and why ({@link Plan}, {@link Reason},
 *   {@link Report}).
 *
 * Everything here follows semantic versioning. regsweep's own adapters also use
 * `@regsweep/core/internal` (pacing, listings read until they agree, the executor): that entry has no
 * stability promise and may change in any release.
 *
 * @packageDocumentation
 */

// Ports: what the engine needs from the world.
export { RegistryError, DeleteSkipped, BudgetExhausted } from './ports.js';
export type {
  Digest, Clock, RefKind, GitRef, CommitInfo, GitHistory, ListedImage, RawManifest, RegistryCapabilities,
  DeleteOutcome, Registry, Workload, ClusterImageUse, ClusterImages, HostImage, HostContainer, HostRemoveOutcome, HostEngine,
} from './ports.js';

// For adapters: a listing read until two reads agree (fail closed on pages that shift under a push).
export { listUntilAgreed, type ListingCheckOptions } from './graph/listing-check.js';

// Errors a front end maps to exit codes: bad input (2), incomplete information (1).
export { InputError, IncompleteInputError, describeError } from './errors.js';

// Policies.
export { policyFromText, parsePolicyText, parseKeepListText, type ParsedPolicy, type PolicyFromFile } from './policy/parse.js';
export { defaultCleanupPolicy } from './policy/defaults.js';
export type { CleanupPolicy, KeepPolicy, KeepFor, Limit, NamePattern, Operator, RepositoryRole, RepositorySpec, PolicyProblem } from './policy/types.js';

// The run pipeline.
export { runPipeline } from './pipeline/pipeline.js';
export type { LoadedPolicy, PipelinePorts, PipelineRepository, PipelineResult, PipelineSettings } from './pipeline/pipeline.js';
export type { PhaseName, RepositoryFailure } from './run.js';

// Plans and reports.
export type {
  Plan, PlanStats, PlannedImage, KeptImage, DeletionItem, Reason, ReasonName, StaleTag,
  DeletionDecision, DeletionCause, PolicyMiss, MissOutcome, GroupFinding, PolicyPosition, ReferenceName, StoppedReference,
} from './plan/types.js';
export { REASON_ORDER } from './plan/types.js';
export type { NodeKind } from './graph/graph.js';
export type { LinearRegex, RegexMode } from './util/linear-regex.js';
export { emptyReport } from './report/report.js';
export type { Report, ReportKept, ReportDeleted, ReportTagRemoval, ReportProblem, RepositoryTotals } from './report/report.js';
export { renderSummary } from './report/summary.js';

export { VERSION } from './version.js';

// Host cleanup (`regsweep host cleanup|purge`): a build host's own images (docs/host-cleanup.md).
export { runHostCleanup, type HostRunSettings, type HostRunPorts } from './host/host-run.js';
export { planHostCleanup, type HostPlanInput, type HostRepository, type LeftoverLabel } from './host/host-plan.js';
export { normalizeRepository } from './host/host-refs.js';
export type { HostPlan, HostKept, HostRemoval, HostStep, HostKeepReason, VolumeUsage } from './host/types.js';
export type { HostReport } from './report/report.js';
export { repositoriesFromReport } from './host/from-report.js';
