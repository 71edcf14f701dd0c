export * from './atr/index.js';
export * from './apdu/index.js';
export * from './pcsc/index.js';
export * from './virtual/index.js';
export * from './vpcd/index.js';
