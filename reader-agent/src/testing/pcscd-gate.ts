import { PcscReaderHub, pcscdReachable, pcscdSocketPath } from '../pcsc/index.js';
import { VPCD_READERS } from './vpcd-readers.js';
import { waitForReader } from './wait-for.js';

export interface PcscdGate {
  readonly available: boolean;
  /** Why the pcscd tests do not run (empty when they do). */
  readonly reason: string;
}

/**
 * Decides whether the pcscd + vpcd tests can run here. Missing pcscd or vpcd readers skip them,
 * unless CITYCARD_REQUIRE_PCSCD=1 (CI), where that is a failure.
 */
export async function pcscdGate(): Promise<PcscdGate> {
  const reason = await unavailableReason();
  if (reason && process.env.CITYCARD_REQUIRE_PCSCD === '1') {
    throw new Error(`CITYCARD_REQUIRE_PCSCD=1 but ${reason}`);
  }
  return { available: reason === '', reason };
}

async function unavailableReason(): Promise<string> {
  const socket = pcscdSocketPath();
  if (!(await pcscdReachable(socket))) {
    return `pcscd is not reachable on ${socket} (start it with: pcscd --foreground, never --auto-exit)`;
  }
  let hub: PcscReaderHub | null = null;
  try {
    hub = await PcscReaderHub.open();
    for (const name of Object.keys(VPCD_READERS)) await waitForReader(hub, name, 3000);
    return '';
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return `pcscd runs but the vpcd readers are missing (install vsmartcard-vpcd): ${detail}`;
  } finally {
    await hub?.close();
  }
}
