export type * from './types.js';
export * from './defaults.js';
export * from './duration.js';
export * from './pattern.js';
export { formatProblem, renderValue } from './reader.js';
export * from './validate.js';
export * from './repositories.js';
export * from './parse.js';
export * from './schema.js';
