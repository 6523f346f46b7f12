export {
  OciRegistryClient,
  toRawManifest,
  indexDescriptors,
  type Credentials,
  type OciRegistryClientOptions,
  type ManifestHead,
  type Action,
  type Descriptor,
  type TagDeleteAnswer,
} from './client.js';
export { openOciRegistry, OciRegistry, referrersTag, type OciRegistryOptions, type ManifestReader } from './registry.js';
export { TagDeleter, THROW_AWAY_ANNOTATION, type TagDeleteMethod } from './tag-delete.js';
export {
  DigestCache,
  defaultCacheDir,
  withDigestCache,
  type CacheStats,
  type CacheableRegistry,
  type CachedRegistry,
  type DigestCacheOptions,
} from './digest-cache.js';
export {
  resolveCredentials,
  REGISTRY_HOST_ENV,
  normaliseRegistryHost,
  dockerConfigPath,
  readTextFileIfExists,
  spawnHelper,
  type ResolveCredentialsOptions,
  type ResolvedCredentials,
  type HelperResult,
  type HelperRunner,
  type TextFileReader,
} from './credentials.js';
export { parseRepositoryRef, isLoopbackHost, readJsonAnswer, registryLocation, type RegistryLocation, type RepositoryRef } from './http-util.js';
export { createManifestReader, type ManifestReads, type ManifestReaderOptions } from './manifest-reader.js';
