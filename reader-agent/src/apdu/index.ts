export { ClassicApduFront, type ApduFrontStats } from './classic-apdu-front.js';
export { SW, KEY_TYPE_BYTE, apdu, statusWord, withStatus, swHex } from './commands.js';
