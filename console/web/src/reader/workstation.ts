/**
 * What this counter PC knows about itself: its counter, and its reader agent (the local daemon
 * with the card reader). Kept in the browser of the workstation, not in any account.
 */
export interface Workstation {
  readonly counterId: string;
  /** http://127.0.0.1:8090 */
  readonly agentUrl: string;
  /** The bearer token from the agent's token file (it changes at each agent start). */
  readonly agentToken: string;
  /** The agent's registered id (its certificate subject), which issuance's plans name. */
  readonly agentId: string;
  /** Empty: the first reader the agent reports. */
  readonly readerName: string;
}

const STORAGE_KEY = 'citycard.workstation';

export const EMPTY_WORKSTATION: Workstation = {
  counterId: '',
  agentUrl: 'http://127.0.0.1:8090',
  agentToken: '',
  agentId: '',
  readerName: '',
};

export function loadWorkstation(): Workstation {
  try {
    const text = window.localStorage.getItem(STORAGE_KEY);
    if (text === null) return EMPTY_WORKSTATION;
    return { ...EMPTY_WORKSTATION, ...(JSON.parse(text) as Partial<Workstation>) };
  } catch {
    return EMPTY_WORKSTATION;
  }
}

export function saveWorkstation(w: Workstation): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify(w));
  } catch {
    // Kept for this page only.
  }
}

export function agentConfigured(w: Workstation): boolean {
  return w.agentUrl !== '' && w.agentToken !== '' && w.agentId !== '';
}
