import { readFile, writeFile } from 'node:fs/promises';
import { errorsDocPath, renderErrorsDoc } from './errors-doc.js';

const previous = await readFile(errorsDocPath, 'utf8').catch(() => '');
await writeFile(errorsDocPath, renderErrorsDoc(previous));
console.log(`wrote ${errorsDocPath}`);
