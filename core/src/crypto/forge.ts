import { createRequire } from 'node:module';
import type * as Forge from 'node-forge';

// node-forge is CommonJS whose exports Node cannot detect statically, and the project compiles
// without esModuleInterop, so neither a default nor a namespace import works in both tsc and Node.
export const forge = createRequire(import.meta.url)('node-forge') as typeof Forge;
