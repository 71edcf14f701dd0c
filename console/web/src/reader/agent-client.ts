import { ApiError } from '../api/client';

/** The reader agent's local API (reader-agent/src/daemon), as the browser sees it. */
export interface CardView {
  readonly uid: string;
  readonly kind: string;
}

export interface ReaderView {
  readonly name: string;
  readonly card: CardView | null;
}

export interface CardSnapshot {
  readonly cardId: string;
  readonly cardNumberMasked: string | null;
  readonly uid: string;
  readonly state: string;
  readonly product: string | null;
  /** What the chip holds; null when the purse does not decode. */
  readonly balance: string | null;
  readonly shadowBalance: string;
  readonly purseCounter: number | null;
  readonly uncertainLoadsResolved: number;
  readonly mismatch: boolean;
}

export interface ReadAnswer {
  readonly planId: string;
  readonly status: 'accepted' | 'rejected' | 'uncertain';
  readonly card?: CardSnapshot;
  readonly message?: string;
}

export interface PlanAnswer extends ReadAnswer {
  readonly report: { readonly outcome: string; readonly completedSteps: number };
}

export type AgentEvent =
  | { type: 'reader'; data: ReaderView }
  | { type: 'readerRemoved'; data: { name: string } }
  | { type: 'card'; data: CardView & { reader: string } }
  | { type: 'cardRemoved'; data: { reader: string; uid: string } }
  | { type: 'planProgress'; data: { reader: string; planId: string; index: number; total: number } }
  | { type: 'report'; data: { planId: string; status: string } }
  | { type: 'error'; data: { reader?: string; code: string; message: string } };

const EVENT_TYPES: readonly AgentEvent['type'][] = [
  'reader',
  'readerRemoved',
  'card',
  'cardRemoved',
  'planProgress',
  'report',
  'error',
];

export interface AgentEndpoint {
  readonly url: string;
  readonly token: string;
}

async function call<T>(agent: AgentEndpoint, method: string, path: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${agent.url.replace(/\/+$/, '')}${path}`, {
      method,
      headers: { authorization: `Bearer ${agent.token}`, accept: 'application/json' },
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new ApiError('AGENT_NETWORK', 0, 'The reader agent is not answering');
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const code = typeof body.code === 'string' ? body.code : `HTTP_${res.status}`;
    const message = typeof body.message === 'string' ? body.message : res.statusText;
    throw new ApiError(code, res.status, message);
  }
  return body as T;
}

const readerPath = (reader: string): string => `/v1/readers/${encodeURIComponent(reader)}`;

export const agentApi = {
  readers: (a: AgentEndpoint) => call<ReaderView[]>(a, 'GET', '/v1/readers'),
  read: (a: AgentEndpoint, reader: string) =>
    call<ReadAnswer>(a, 'POST', `${readerPath(reader)}/read`),
  runPlan: (a: AgentEndpoint, reader: string, planId: string) =>
    call<PlanAnswer>(a, 'POST', `${readerPath(reader)}/plans/${encodeURIComponent(planId)}`),
};

/**
 * The agent's event stream. EventSource cannot send headers, so the token rides in the query,
 * which the agent accepts for this path only and never logs.
 */
export function openAgentEvents(
  agent: AgentEndpoint,
  onEvent: (event: AgentEvent) => void,
  onState: (online: boolean) => void,
): () => void {
  const url = `${agent.url.replace(/\/+$/, '')}/v1/events?token=${encodeURIComponent(agent.token)}`;
  const source = new EventSource(url);
  source.onopen = () => onState(true);
  source.onerror = () => onState(false);
  for (const type of EVENT_TYPES) {
    source.addEventListener(type, (message: MessageEvent<string>) => {
      try {
        const data: unknown = JSON.parse(message.data);
        onEvent({ type, data } as AgentEvent);
      } catch {
        // A frame that does not parse is skipped; the next reader event brings the state back.
      }
    });
  }
  return () => source.close();
}
