/**
 * Errors the front ends map to exit codes. `InputError` = the user's input is wrong (configuration,
 * flags, a shallow clone, a missing repository): exit 2, nothing touched. Anything else: exit 1.
 */
export class InputError extends Error {
  /** How to fix it, shown after the message. */
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'InputError';
    this.hint = hint;
  }
}

/**
 * A source of information could not be read completely (a registry listing, a history walk, a
 * Kubernetes context). Nothing is deleted; the message names the input and how to proceed.
 */
export class IncompleteInputError extends Error {
  readonly input: string;
  readonly hint: string | undefined;
  constructor(input: string, message: string, hint?: string, cause?: unknown) {
    super(`${input}: ${message}`, { cause });
    this.name = 'IncompleteInputError';
    this.input = input;
    this.hint = hint;
  }
}

/** An error's message for a person: with its fix on the next line (`indent` before `fix:`) when it has one. */
export function describeError(err: unknown, indent = ''): string {
  if (err instanceof InputError || err instanceof IncompleteInputError) return err.hint ? `${err.message}\n${indent}fix: ${err.hint}` : err.message;
  return err instanceof Error ? err.message : String(err);
}
