import { createCipheriv, type Cipher } from 'node:crypto';
import { AES_BLOCK, cmacSubkeys, type CmacSubkeys } from '@citycard/core/crypto';

/**
 * One AES-CBC cipher per key, never finalised: after each message its chaining value is the last
 * block it wrote (the message's tag), which the next message cancels out of its first block.
 */
interface KeyState {
  readonly subkeys: CmacSubkeys;
  readonly cipher: Cipher;
  /** The cipher's chaining value: the last block it returned (zero before the first). */
  readonly chain: Buffer;
}

// Keyed by the key object: a terminal's key is one Buffer for as long as it is kept in memory.
const states = new WeakMap<Buffer, KeyState>();
const ZERO = Buffer.alloc(AES_BLOCK);

function stateOf(key: Buffer): KeyState {
  let state = states.get(key);
  if (state === undefined) {
    const cipher = createCipheriv(`aes-${key.length * 8}-cbc`, key, ZERO);
    cipher.setAutoPadding(false);
    state = { subkeys: cmacSubkeys(key), cipher, chain: Buffer.alloc(AES_BLOCK) };
    states.set(key, state);
  }
  return state;
}

/**
 * AES-CMAC (RFC 4493), equal to core's aesCmac, computed as the last block of AES-CBC over the
 * prepared message (padded, subkey folded into its last block). Creating a cipher costs more
 * than encrypting a whole record, so each key keeps one: CBC with a zero IV is the same as CBC
 * from any chaining value C when C is XORed into the first block, and the value a kept cipher
 * chains from is the last block it returned. The key must not be changed in place once used.
 */
export function cmac(key: Buffer, message: Buffer): Buffer {
  const state = stateOf(key);
  const complete = message.length > 0 && message.length % AES_BLOCK === 0;
  const length = complete
    ? message.length
    : message.length - (message.length % AES_BLOCK) + AES_BLOCK;
  const prepared = Buffer.allocUnsafe(length);
  message.copy(prepared);
  if (!complete) {
    prepared[message.length] = 0x80;
    prepared.fill(0, message.length + 1);
  }
  const subkey = complete ? state.subkeys.k1 : state.subkeys.k2;
  const { chain } = state;
  const last = length - AES_BLOCK;
  for (let i = 0; i < AES_BLOCK; i++) {
    prepared[last + i] = (prepared[last + i] ?? 0) ^ (subkey[i] ?? 0);
    prepared[i] = (prepared[i] ?? 0) ^ (chain[i] ?? 0);
  }
  let out: Buffer;
  try {
    out = state.cipher.update(prepared);
  } catch (error) {
    // Its chaining value is unknown now: the next message starts from a new cipher.
    states.delete(key);
    throw error;
  }
  out.copy(chain, 0, last);
  return out.subarray(last);
}
