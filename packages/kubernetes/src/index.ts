export * from './cluster-images.js';
export * from './kubeconfig.js';
export * from './kube-errors.js';
export * from './workload-images.js';
export * from './workload-kinds.js';
