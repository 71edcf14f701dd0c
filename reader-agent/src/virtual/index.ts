export { VirtualReader, type ForeignCard } from './virtual-reader.js';
export { VirtualReaderHub } from './virtual-reader-hub.js';
