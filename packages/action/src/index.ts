export { readInputs, type ActionInputs, type GetInput, type RunContext } from './inputs.js';
export { runAction, REPORT_FILE, type ActionDeps, type ActionIo, type ActionResult } from './main.js';
export { renderJobSummary, type SummaryContext } from './job-summary.js';
