/**
 * A project's container tag rules (GitLab 17.11+): protection rules name the least role that may push
 * and delete a matching tag; immutable rules (GitLab 18.2+, Ultimate) have neither role, and no one may
 * delete a matching tag. Patterns are RE2 and match anywhere in the tag name, as GitLab applies them,
 * so they run on core's linear-time RE2 engine, never on JavaScript's backtracking RegExp.
 */
import { compileLinearRegex, isLinearRegex, type LinearRegex } from '@regsweep/core/internal';
import { field, stringField } from './gitlab-fields.js';

export interface TagRule {
  /** The rule's tag name pattern as GitLab stores it. */
  pattern: string;
  /** No role may delete (an immutable rule). */
  immutable: boolean;
  /** The least role that may delete (`maintainer`, `owner`, `admin`), for protection rules. */
  deleteRole?: string;
}

/** Rules from `GET /projects/:id/registry/protection/tag/rules`; entries without a pattern are left out. */
export function parseTagRules(answer: unknown): TagRule[] | undefined {
  if (!Array.isArray(answer)) return undefined;
  return answer.flatMap((r): TagRule[] => {
    const pattern = stringField(r, 'tag_name_pattern');
    if (pattern === undefined) return [];
    const deleteRole = stringField(r, 'minimum_access_level_for_delete');
    const immutable = field(r, 'immutable') === true || (field(r, 'minimum_access_level_for_delete') == null && field(r, 'minimum_access_level_for_push') == null);
    return [{ pattern, immutable, ...(deleteRole !== undefined && !immutable ? { deleteRole } : {}) }];
  });
}

/** Why `tag` cannot be deleted by the rules, or undefined when no rule covers it. */
export type TagRuleMatcher = (tag: string) => string | undefined;

/**
 * Compiles the rules. A pattern RE2 cannot compile (GitLab validates them, so this is unexpected) is
 * taken to cover every tag: a refusal is then explained as that rule's, never as the token's.
 */
export function tagRuleMatcher(rules: readonly TagRule[]): TagRuleMatcher {
  const compiled = rules.map((rule) => {
    const regex = compileLinearRegex(rule.pattern, 'anywhere');
    return { rule, matches: isLinearRegex(regex) ? (tag: string) => (regex as LinearRegex).test(tag) : () => true };
  });
  return (tag) => {
    // An immutable rule is the stronger reason: report it first when both kinds match.
    const hit = compiled.find((c) => c.rule.immutable && c.matches(tag)) ?? compiled.find((c) => c.matches(tag));
    if (hit === undefined) return undefined;
    return hit.rule.immutable
      ? `tag ${tag} is immutable (rule \`${hit.rule.pattern}\`): no one may delete it`
      : `tag ${tag} is protected (rule \`${hit.rule.pattern}\`: deleting needs the ${hit.rule.deleteRole ?? 'maintainer'} role)`;
  };
}
