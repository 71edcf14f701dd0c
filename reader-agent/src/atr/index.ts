export {
  parseAtr,
  atrChecksumValid,
  storageCardAtr,
  iso14443Part4Atr,
  type AtrInfo,
} from './parse-atr.js';
