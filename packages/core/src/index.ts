export * from './ports.js';
export type * from './policy/types.js';
