export { makeFolders } from './folders.js';
export { realClock } from './clock.js';
export { prepareOutputPath, type OutputPathOptions } from './output-path.js';
export { writeAtomic, type WriteAtomicOptions } from './write-atomic.js';
export { loadPolicy, type PolicyLookup } from './policy-file.js';
