export * from './gitlab-http.js';
export * from './gitlab-api.js';
export * from './gitlab-errors.js';
export * from './gitlab-history.js';
export * from './gitlab-registry.js';
export * from './gitlab-v1.js';
export * from './gitlab-project.js';
