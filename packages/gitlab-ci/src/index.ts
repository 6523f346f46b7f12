export { runJob, REPORT_FILE, DOTENV_FILE, type JobDeps, type JobResult } from './job.js';
export { readJobVariables, parseList, type Env, type JobSettings } from './variables.js';
export { renderJobLog, renderDotenv, section, sectionName, MAX_SECTION_ROWS } from './job-log.js';
