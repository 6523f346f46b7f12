/**
 * From file text to a validated policy. Pure: the caller reads the file and passes its text and name.
 */
import { LineCounter, parseAllDocuments, type Document, type YAMLError } from 'yaml';
import { InputError } from '../errors.js';
import { checkTagGlob } from './pattern.js';
import { formatProblem, isObj, renderValue } from './reader.js';
import type { CleanupPolicy } from './types.js';
import { validatePolicy } from './validate.js';

/** A policy file's text, parsed and validated. */
export interface ParsedPolicy {
  policy: CleanupPolicy;
  /** Valid but probably unintended settings, `FILE: PATH: MESSAGE`. */
  warnings: string[];
  /** Whether the document has a `cleanup:` section with something in it (else the policy is the default). */
  hasCleanup: boolean;
}

const TEMPLATE_HINT =
  'regsweep reads werf.yaml as plain YAML and does not render werf templates ({{ … }}). Keep the cleanup: ' +
  'section template-free in the first document, or put the policy in a separate regsweep policy file.';

function syntaxError(file: string, errors: readonly YAMLError[], source: string): InputError {
  const lines = errors.map((e) => {
    const pos = e.linePos?.[0];
    const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
    return `${where}: invalid YAML: ${e.message.trimEnd()}`;
  });
  return new InputError(lines.join('\n'), source.includes('{{') ? TEMPLATE_HINT : undefined);
}

/**
 * Parses and validates a policy file or a werf.yaml. A werf.yaml may hold several YAML documents:
 * the first that has a top-level `cleanup` key is used (else the first, which gives the defaults).
 * A syntax error in that document or in any document before it is an InputError with the file,
 * line and column; documents after the one used are not looked at (werf image sections often use
 * templates that are not valid YAML). Validation problems are an InputError listing every problem
 * as `FILE: PATH: MESSAGE (got VALUE)`, one per line.
 */
export function parsePolicyText(text: string, file: string): ParsedPolicy {
  const lineCounter = new LineCounter();
  const docs = Array.from(parseAllDocuments(text, { merge: true, logLevel: 'error', uniqueKeys: true, lineCounter }));
  let chosen: { data: unknown; source: string; warnings: string[]; doc: Document.Parsed } | undefined;
  for (const doc of docs) {
    const source = text.slice(doc.range[0], doc.range[2]);
    if (doc.errors.length > 0) throw syntaxError(file, doc.errors, source);
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      throw new InputError(`${file}: cannot read the YAML: ${err instanceof Error ? err.message : String(err)}`);
    }
    const yamlWarnings = doc.warnings.map((w) => `${file}: ${w.message.split('\n')[0] ?? w.message}`);
    if (isObj(data) && data['cleanup'] !== undefined) {
      chosen = { data, source, warnings: yamlWarnings, doc };
      break;
    }
    chosen ??= { data, source, warnings: yamlWarnings, doc };
  }
  const result = validatePolicy(chosen?.data, { file });
  if ('problems' in result) {
    const hint = chosen?.source.includes('{{') ? TEMPLATE_HINT : undefined;
    throw new InputError(result.problems.map(formatProblem).join('\n'), hint);
  }
  if (chosen) addPolicyLines(result.policy, chosen.doc, lineCounter);
  const section = isObj(chosen?.data) ? chosen.data['cleanup'] : undefined;
  const hasCleanup = section !== undefined && section !== null && !(isObj(section) && Object.keys(section).length === 0);
  return { policy: result.policy, warnings: [...(chosen?.warnings ?? []), ...result.warnings], hasCleanup };
}

/** Notes each keep policy's line in the file, so that explanations can point at it. */
function addPolicyLines(policy: CleanupPolicy, doc: Document.Parsed, lines: LineCounter): void {
  if (policy.defaultKeepPolicies) return;
  policy.keepPolicies.forEach((kp, i) => {
    const node: unknown = doc.getIn(['cleanup', 'keepPolicies', i], true);
    const range = isObj(node) ? node['range'] : undefined;
    if (Array.isArray(range) && typeof range[0] === 'number') kp.line = lines.linePos(range[0]).line;
  });
}

/**
 * Parses a keep-list file: one tag glob per line; `#` starts a comment (a tag never contains `#`),
 * blank lines are ignored. Every bad glob is reported, `FILE:LINE: MESSAGE (got GLOB)`, in one
 * InputError.
 */
export function parseKeepListText(text: string, file: string): string[] {
  const globs: string[] = [];
  const problems: string[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((line, i) => {
      const hash = line.indexOf('#');
      const glob = (hash >= 0 ? line.slice(0, hash) : line).trim();
      if (glob === '') return;
      const problem = checkTagGlob(glob);
      if (problem === undefined) globs.push(glob);
      else problems.push(`${file}:${i + 1}: ${problem}; one tag glob per line (got ${renderValue(glob)})`);
    });
  if (problems.length > 0) throw new InputError(problems.join('\n'));
  return globs;
}

/** werf's project file, where a cleanup: section may be absent on purpose (werf's default policy then applies). */
export function isWerfConfigName(file: string): boolean {
  return /(^|[\\/])werf\.ya?ml$/.test(file);
}

/** A policy as a front end loads it: the policy, where it came from, and a note when it is the default for a reason. */
export interface PolicyFromFile extends ParsedPolicy {
  source: string;
  /** Said in the run's output: why the default policy applies although a file was read. */
  note?: string;
}

/**
 * The policy of a file's text (pure; the caller reads the file). A regsweep policy file (named with
 * --config or found as .regsweep.yml) with no cleanup: section — empty, only comments, no such key,
 * or `cleanup: {}` — is bad input: nothing in it would apply. A werf.yaml may have none on purpose:
 * werf's default policy applies and the note says so.
 */
export function policyFromText(text: string, file: string): PolicyFromFile {
  const parsed = parsePolicyText(text, file);
  if (parsed.hasCleanup) return { ...parsed, source: file };
  if (isWerfConfigName(file)) {
    return { ...parsed, source: file, note: `${file} has no cleanup: section (or an empty one), so werf's default policy applies` };
  }
  throw new InputError(`${file}: no cleanup section; nest keepPolicies under cleanup:`,
    'a regsweep policy file holds its settings under a top-level cleanup: key, for example\n  cleanup:\n    keepPolicies:\n      - references: { branch: main }\n        imagesPerReference: { last: 10 }');
}
