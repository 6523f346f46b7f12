/** The Docker Engine adapter: a build host's images and containers through the Engine API. */
export { DockerEngine, openDockerEngine } from './engine.js';
export { DEFAULT_DOCKER_HOST, parseDockerHost, type EngineAddress } from './docker-host.js';
export { engineHostPorts, type EngineHostPortsOptions } from './host-ports.js';
export { volumeUsage } from './volume.js';
export { hostCleanupAfterRegistry, type AfterRegistryOptions } from './after-registry.js';
