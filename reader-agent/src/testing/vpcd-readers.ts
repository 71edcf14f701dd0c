/** The two readers vsmartcard-vpcd gives pcscd, and the port a card connects to for each. */
export const VPCD_READERS = {
  'Virtual PCD 00 00': 35963,
  'Virtual PCD 00 01': 35964,
} as const;

export type VpcdReaderName = keyof typeof VPCD_READERS;
