/**
 * Checks a fake's REST answers against GitHub's published OpenAPI description
 * (@octokit/openapi, `api.github.com.deref.json`): the response schema of that operation and status.
 * OpenAPI 3.0's `nullable: true` becomes `anyOf [schema, {type: null}]` for ajv. A status the
 * description does not list (GHCR's 400 on delete, a 403/429 rate-limit answer on an operation that
 * lists neither) is checked against GitHub's "Basic Error" schema and reported as undocumented.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface CheckResult {
  /** Why the body does not fit, or undefined when it does. */
  error?: string;
  /** The status is not in the description for this operation (checked as a Basic Error). */
  undocumented: boolean;
}

let spec: JsonObject | undefined;
const validators = new Map<string, ValidateFunction | 'empty'>();
let ajv: Ajv | undefined;

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function loadSpec(): JsonObject {
  if (spec !== undefined) return spec;
  const path = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.deref.json');
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Json;
  if (!isObject(parsed) || !isObject(parsed['paths'])) throw new Error(`${path} is not an OpenAPI description`);
  spec = parsed;
  return spec;
}

/** OpenAPI 3.0 → JSON Schema for ajv: `nullable`, and nothing else that matters here. */
export function toJsonSchema(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'nullable' || k === 'example' || k === 'examples' || k === 'discriminator') continue;
    // `properties` maps names to schemas; every other object-valued keyword is a schema or a list of them.
    out[k] = k === 'properties' && isObject(v) ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, toJsonSchema(s)])) : toJsonSchema(v);
  }
  return schema['nullable'] === true ? { anyOf: [out, { type: 'null' }] } : out;
}

function compiler(): Ajv {
  ajv ??= new Ajv({
    strict: false,
    allErrors: true,
    logger: false,
    formats: {
      'date-time': /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:?\d{2})$/,
      uri: true,
      email: true,
      date: /^\d{4}-\d{2}-\d{2}$/,
    },
  });
  return ajv;
}

function responseSchema(method: string, path: string, status: number): { schema: Json | undefined; undocumented: boolean } {
  const paths = loadSpec()['paths'] as JsonObject;
  const item = paths[path];
  const op = isObject(item) ? item[method.toLowerCase()] : undefined;
  if (!isObject(op) || !isObject(op['responses'])) throw new Error(`OpenAPI description has no operation ${method} ${path}`);
  const responses = op['responses'];
  const documented = responses[String(status)] ?? responses['default'];
  const response = documented ?? basicErrorResponse();
  const content = isObject(response) ? response['content'] : undefined;
  const json = isObject(content) ? content['application/json'] : undefined;
  return { schema: isObject(json) ? json['schema'] : undefined, undocumented: documented === undefined };
}

function basicErrorResponse(): Json {
  const paths = loadSpec()['paths'] as JsonObject;
  const users = paths['/users/{username}'];
  const get = isObject(users) ? users['get'] : undefined;
  const responses = isObject(get) ? get['responses'] : undefined;
  return isObject(responses) ? responses['404'] ?? null : null;
}

/** Validates `body` (undefined = empty) as the answer `status` of `METHOD path` (the description's path template). */
export function checkResponse(method: string, path: string, status: number, body: unknown): CheckResult {
  const key = `${method.toUpperCase()} ${path} ${status}`;
  const { schema, undocumented } = responseSchema(method, path, status);
  let validate = validators.get(key);
  if (validate === undefined) {
    validate = schema === undefined ? 'empty' : compiler().compile(toJsonSchema(schema) as object);
    validators.set(key, validate);
  }
  if (validate === 'empty') {
    return body === undefined || body === '' ? { undocumented } : { undocumented, error: `${key}: the description has no body, the fake sent one` };
  }
  if (validate(body)) return { undocumented };
  return { undocumented, error: `${key}: ${compiler().errorsText(validate.errors, { dataVar: 'body' })}` };
}
