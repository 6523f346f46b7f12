export { main, type Io } from './main.js';
export { parseCommand, USAGE, type Command, type KubeArgs } from './args.js';
