export { main, type Io } from './main.js';
export { parseCommand, type Command, type KubeArgs } from './args.js';
export { commandHelp, demoHelp, generalHelp, usageLine } from './help.js';
export { FLAGS, flagsOf, type CommandName, type FlagSpec } from './flags.js';
