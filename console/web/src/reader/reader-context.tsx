import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError } from '../api/client';
import {
  agentApi,
  openAgentEvents,
  type AgentEvent,
  type CardView,
  type PlanAnswer,
  type ReadAnswer,
  type ReaderView,
} from './agent-client';
import { agentConfigured, loadWorkstation, saveWorkstation, type Workstation } from './workstation';

export type AgentStatus = 'unconfigured' | 'connecting' | 'online' | 'offline';

export interface Progress {
  readonly planId: string;
  readonly index: number;
  readonly total: number;
}

interface ReaderContext {
  readonly workstation: Workstation;
  readonly saveWorkstation: (w: Workstation) => void;
  readonly status: AgentStatus;
  readonly readers: readonly ReaderView[];
  /** The reader this counter uses: the one named in the settings, or the first. */
  readonly reader: ReaderView | undefined;
  readonly card: CardView | null;
  readonly progress: Progress | null;
  /** What issuance last said of the card now on the reader; cleared when the card leaves. */
  readonly lastRead: LastRead | null;
  readonly lastError: string | null;
  readonly read: () => Promise<ReadAnswer>;
  readonly runPlan: (planId: string) => Promise<PlanAnswer>;
}

/**
 * A read's plan id is what a load is ordered against; after a plan has written the card that
 * read is stale, so the answer is kept for its figures but marked as from a plan.
 */
export type LastRead = ReadAnswer & { readonly source: 'read' | 'plan' };

const Context = createContext<ReaderContext | null>(null);

function applyEvent(readers: ReaderView[], event: AgentEvent): ReaderView[] {
  switch (event.type) {
    case 'reader':
      return [...readers.filter((r) => r.name !== event.data.name), event.data];
    case 'readerRemoved':
      return readers.filter((r) => r.name !== event.data.name);
    case 'card':
      return readers.map((r) =>
        r.name === event.data.reader ? { name: r.name, card: event.data } : r,
      );
    case 'cardRemoved':
      return readers.map((r) => (r.name === event.data.reader ? { name: r.name, card: null } : r));
    case 'planProgress':
    case 'report':
    case 'error':
      return readers;
  }
}

function useAgentStream(workstation: Workstation) {
  const [status, setStatus] = useState<AgentStatus>('unconfigured');
  const [readers, setReaders] = useState<ReaderView[]>([]);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [lastError, setLastError] = useState<string | null>(null);
  useEffect(() => {
    setReaders([]);
    if (!agentConfigured(workstation)) {
      setStatus('unconfigured');
      return;
    }
    setStatus('connecting');
    const endpoint = { url: workstation.agentUrl, token: workstation.agentToken };
    return openAgentEvents(
      endpoint,
      (event) => {
        setReaders((list) => applyEvent(list, event));
        if (event.type === 'planProgress') setProgress(event.data);
        if (event.type === 'report') setProgress(null);
        if (event.type === 'error') setLastError(event.data.code);
      },
      (online) => setStatus(online ? 'online' : 'offline'),
    );
  }, [workstation]);
  return { status, readers, progress, setProgress, lastError };
}

export function ReaderProvider({ children }: { readonly children: ReactNode }) {
  const [workstation, setWorkstation] = useState<Workstation>(loadWorkstation);
  const stream = useAgentStream(workstation);
  const [lastRead, setLastRead] = useState<LastRead | null>(null);
  const reader =
    stream.readers.find((r) => r.name === workstation.readerName) ??
    (workstation.readerName === '' ? stream.readers[0] : undefined);
  const card = reader?.card ?? null;
  const uid = card?.uid;

  useEffect(() => {
    setLastRead((previous) => (previous?.card?.uid === uid ? previous : null));
  }, [uid]);

  const endpoint = useCallback(() => {
    if (!agentConfigured(workstation)) {
      throw new ApiError('AGENT_NOT_CONFIGURED', 0, 'No reader agent is set up here');
    }
    if (reader === undefined) throw new ApiError('READER_NOT_FOUND', 404, 'No reader');
    return { agent: { url: workstation.agentUrl, token: workstation.agentToken }, reader };
  }, [workstation, reader]);

  const { setProgress } = stream;
  const read = useCallback(async () => {
    const { agent, reader: r } = endpoint();
    try {
      const answer = await agentApi.read(agent, r.name);
      setLastRead({ ...answer, source: 'read' });
      return answer;
    } finally {
      setProgress(null);
    }
  }, [endpoint, setProgress]);

  const runPlan = useCallback(
    async (planId: string) => {
      const { agent, reader: r } = endpoint();
      try {
        const answer = await agentApi.runPlan(agent, r.name, planId);
        if (answer.card !== undefined) setLastRead({ ...answer, source: 'plan' });
        return answer;
      } finally {
        setProgress(null);
      }
    },
    [endpoint, setProgress],
  );

  const save = useCallback((w: Workstation) => {
    saveWorkstation(w);
    setWorkstation(w);
  }, []);

  const value = useMemo<ReaderContext>(
    () => ({
      workstation,
      saveWorkstation: save,
      status: stream.status,
      readers: stream.readers,
      reader,
      card,
      progress: stream.progress,
      lastRead,
      lastError: stream.lastError,
      read,
      runPlan,
    }),
    [workstation, save, stream, reader, card, lastRead, read, runPlan],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useReader(): ReaderContext {
  const value = useContext(Context);
  if (value === null) throw new Error('useReader outside ReaderProvider');
  return value;
}
