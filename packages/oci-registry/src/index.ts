export { OciRegistryClient, type Credentials, type OciRegistryClientOptions, type ManifestHead, type Action } from './client.js';
export { openOciRegistry, OciRegistry, type OciRegistryOptions } from './registry.js';
export { parseRepositoryRef, isLoopbackHost, type RepositoryRef } from './http-util.js';
