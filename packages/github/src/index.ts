export {};
export * from './pacer.js';
export * from './ghcr-http.js';
export * from './ghcr-owner.js';
export * from './ghcr-registry.js';
export * from './octokit.js';
export { GraphqlBudget, type GraphqlBudgetOptions } from './graphql-budget.js';
export * from './github-history.js';
export * from './github-repository.js';
