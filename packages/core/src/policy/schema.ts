/**
 * JSON Schema (draft-07, which editors' YAML language servers support best) of the policy file.
 * `scripts/write-schema.mjs` writes it to `schema/regsweep.schema.json`. The schema agrees with
 * `validatePolicy` except where JSON Schema cannot say it: a regular expression that does not
 * compile, a tag pattern whose `(?<sha>…)` is escaped, a number too large for a duration.
 */
import { DURATION_PATTERN } from './duration.js';
import { TAG_GLOB_PATTERN } from './pattern.js';
import { REPOSITORY_REF_PATTERN } from './repositories.js';

export type SchemaNode = Record<string, unknown>;

const DURATION_EXAMPLES = 'Go-style duration: 90m, 168h, 1h30m, 1.5h, plus d (24h) and w (7 days): 7d, 2w. A bare number is an error.';

function duration(description: string): SchemaNode {
  return { type: 'string', pattern: DURATION_PATTERN, description: `${description} ${DURATION_EXAMPLES}` };
}

function boolean(description: string, byDefault: boolean): SchemaNode {
  return { type: 'boolean', default: byDefault, description: `${description} Default ${byDefault}.` };
}

function namePattern(kind: 'branch' | 'tag'): SchemaNode {
  return {
    type: 'string',
    minLength: 1,
    not: { const: '//' },
    description:
      `Git ${kind}es this policy selects, by short name: /regex/ is a regular expression anchored at both ends ` +
      `(/.*/ matches every ${kind}); any other string matches that exact name. Exactly one of branch and tag.`,
  };
}

function limit(description: string, counted: string, lastDefault: string): SchemaNode {
  return {
    type: 'object',
    additionalProperties: false,
    description,
    properties: {
      last: { type: 'integer', minimum: 0, description: `Keep at most this many ${counted}, newest first. ${lastDefault}` },
      in: duration(`Keep ${counted} newer than this.`),
      operator: {
        enum: ['And', 'Or'],
        default: 'And',
        description: `How last and in combine: And = ${counted} that pass both, Or = those that pass either. Default And.`,
      },
    },
  };
}

const keepPolicy: SchemaNode = {
  type: 'object',
  additionalProperties: false,
  required: ['references'],
  description: 'One keep policy: which git references it selects, and how many images each of them keeps.',
  properties: {
    references: {
      type: 'object',
      additionalProperties: false,
      oneOf: [{ required: ['branch'] }, { required: ['tag'] }],
      description: 'The git references (exactly one of branch or tag) this policy selects, and an optional limit.',
      properties: {
        branch: namePattern('branch'),
        tag: namePattern('tag'),
        limit: limit(
          'Which of the matching references are selected. Absent: every matching reference.',
          'references',
          'Absent: no limit.',
        ),
      },
    },
    imagesPerReference: limit(
      'How many images each selected reference keeps, walking its history. Absent: { last: 1 }.',
      'images',
      'Absent: unlimited (subject to in); 0 keeps nothing.',
    ),
  },
};

/** `{ role: ROLE }` with the role written out (an entry without role is a primary). */
const roleIs = (role: string): SchemaNode => ({ type: 'object', required: ['role'], properties: { role: { const: role } } });
const isPrimary: SchemaNode = { type: 'object', anyOf: [{ not: { required: ['role'] } }, roleIs('primary')] };

/**
 * What JSON Schema cannot say here and only validatePolicy checks: a ref listed twice, and `follows`
 * naming a primary repository of the list.
 */
const repositories: SchemaNode = {
  type: 'array',
  description:
    "regsweep: the repositories one run cleans, in werf's storage layout: primary (--repo) cleaned by the policy, " +
    "final (--final-repo) kept where its primary keeps the same digest or tag, cache (--cache-repo) cleaned by age. " +
    'Used when no --registry is given. Default: none.',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['ref'],
    description: 'One repository and its role.',
    properties: {
      ref: {
        type: 'string',
        pattern: REPOSITORY_REF_PATTERN,
        description: 'The repository: oci:DIR (an OCI image layout) or HOST[:PORT]/NAME (a registry repository). Each is listed once.',
      },
      role: {
        enum: ['primary', 'final', 'cache', 'secondary'],
        default: 'primary',
        description: "primary: cleaned by the policy; final: follows a primary repository; cache: cleaned by age only; secondary: werf's --secondary-repo, read only, never touched. Default primary.",
      },
      follows: {
        type: 'string',
        minLength: 1,
        description: 'Role final only: the ref of the primary repository of this list it follows. Default: the first primary.',
      },
      keepFor: duration('Role cache only, and required there: images younger than this stay.'),
    },
    allOf: [
      { if: roleIs('cache'), then: { required: ['keepFor'] }, else: { not: { required: ['keepFor'] } } },
      { if: roleIs('final'), then: {}, else: { not: { required: ['follows'] } } },
    ],
  },
  if: { contains: roleIs('final') },
  then: { contains: isPrimary },
  else: {},
};

const cleanup: SchemaNode = {
  type: 'object',
  additionalProperties: false,
  description: 'What a cleanup keeps (werf-compatible keys plus regsweep extensions). Unknown keys are errors.',
  properties: {
    keepPolicies: {
      type: 'array',
      items: keepPolicy,
      description:
        'Git-history keep policies, applied in order. Absent: the default set (tags: last 10; branches: last 10 ' +
        'within 168h with 2 images each within 168h; main, master, staging, production: 10 images). ' +
        'An empty list keeps nothing by git history.',
    },
    keepImagesBuiltWithinLastNHours: {
      type: 'number',
      minimum: 0,
      default: 2,
      description: 'Images built within this many hours are always kept. Default 2; 0 turns the window off.',
    },
    disableKubernetesBasedPolicy: boolean('Do not keep images that Kubernetes workloads use.', false),
    disableGitHistoryBasedPolicy: boolean('Do not keep images by git history (keepPolicies).', false),
    disableBuiltWithinLastNHoursPolicy: boolean('Do not keep recently built images.', false),
    keepTags: {
      type: 'array',
      items: {
        type: 'string',
        pattern: TAG_GLOB_PATTERN,
        description: 'A tag glob (minimatch): *, ?, [a-z], {a,b}. A tag has only letters, digits, _ . and -.',
      },
      description: 'regsweep: tags matching any of these globs are always kept (the keep-list).',
    },
    imageCommits: {
      type: 'object',
      additionalProperties: false,
      description: 'regsweep: how an image is mapped to the commit it was built from.',
      properties: {
        labels: {
          type: 'array',
          items: { type: 'string', minLength: 1, description: 'A label or annotation key.' },
          description: 'Image labels / manifest annotations read for a commit id, in order. Default [org.opencontainers.image.revision].',
        },
        tagPatterns: {
          type: 'array',
          items: {
            type: 'string',
            pattern: '^/.*\\(\\?P?<sha>.*/$',
            description: 'A /regex/ (anchored at both ends) with a named group (?<sha>…) that captures the commit id (7-40 hex).',
          },
          description: 'Extra tag forms that carry a commit id, beside <sha>, sha-<sha> and sha-<short sha>.',
        },
        branchNames: boolean('A tag equal to a branch name (or its slug) maps to that branch tip commit.', true),
        gitTagNames: boolean('A tag equal to a git tag name maps to that tag commit.', true),
      },
    },
    unmapped: {
      type: 'object',
      additionalProperties: false,
      description: 'regsweep: images no commit could be found for. Default: kept forever.',
      properties: {
        keepFor: {
          anyOf: [duration('Keep unmapped images younger than this.'), { const: 'forever', description: 'Never delete them.' }],
          description: 'How long unmapped images are kept: a duration, or forever (the default).',
        },
      },
    },
    untagged: {
      type: 'object',
      additionalProperties: false,
      description: 'regsweep: images no tag points to. Default: deleted unless in use or recent.',
      properties: {
        keepFor: duration('Keep untagged images younger than this. Default 0s.'),
      },
    },
    pullRequests: boolean(
      'Open pull / merge requests count as branches named pr-<number> / mr-<iid> (forge adapters).',
      true,
    ),
    repositories,
  },
};

/** The schema of a regsweep policy file or werf.yaml: other top-level keys are allowed. */
export const policySchema: SchemaNode = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'regsweep cleanup policy',
  description:
    'A regsweep policy file or a werf.yaml. The policy is under cleanup:; other top-level keys (project:, ' +
    'configVersion:, ...) are ignored. An empty document or one without cleanup: uses the defaults.',
  type: ['object', 'null'],
  additionalProperties: true,
  properties: { cleanup },
};

/** The schema file's exact content: pretty-printed JSON with a final newline. */
export function schemaJson(): string {
  return `${JSON.stringify(policySchema, null, 2)}\n`;
}
