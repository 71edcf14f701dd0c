import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import type { ReactNode } from 'react';
import { createApiClient, type ApiClient } from '../api/client';
import type { LoginAnswer, MeAnswer, Role, StaffSummary } from '../api/types';

export interface Session {
  readonly token: string;
  readonly expiresAt: string;
  readonly staff: StaffSummary;
  readonly counterId: string | null;
}

export type SignedOutReason = 'expired' | 'signed-out' | undefined;

interface SessionContext {
  readonly session: Session | null;
  /** Why the last session ended, to say so on the sign-in screen. */
  readonly endedBecause: SignedOutReason;
  /** Milliseconds left, refreshed every few seconds; null when signed out. */
  readonly remainingMs: number | null;
  readonly api: ApiClient;
  readonly signIn: (username: string, password: string, counterId?: string) => Promise<void>;
  readonly signOut: () => Promise<void>;
  readonly hasRole: (...roles: Role[]) => boolean;
}

/** The tab's session only: closing the tab signs the clerk out of that browser tab. */
const STORAGE_KEY = 'citycard.session';
const TICK_MS = 5_000;

function loadStored(): Session | null {
  try {
    const text = window.sessionStorage.getItem(STORAGE_KEY);
    if (text === null) return null;
    const session = JSON.parse(text) as Session;
    return Date.parse(session.expiresAt) > Date.now() ? session : null;
  } catch {
    return null;
  }
}

function store(session: Session | null): void {
  try {
    if (session === null) window.sessionStorage.removeItem(STORAGE_KEY);
    else window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  } catch {
    // Storage refused: the session lives in memory until the page is closed.
  }
}

const Context = createContext<SessionContext | null>(null);

export function SessionProvider({ children }: { readonly children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(loadStored);
  const [endedBecause, setEndedBecause] = useState<SignedOutReason>(undefined);
  const [now, setNow] = useState(() => Date.now());
  const tokenRef = useRef<string | null>(session?.token ?? null);
  tokenRef.current = session?.token ?? null;

  const end = useCallback((reason: SignedOutReason) => {
    store(null);
    setSession(null);
    setEndedBecause(reason);
  }, []);

  const api = useMemo(
    () =>
      createApiClient({
        token: () => tokenRef.current,
        onUnauthenticated: () => end('expired'),
      }),
    [end],
  );

  useEffect(() => {
    if (session === null) return;
    const left = Date.parse(session.expiresAt) - Date.now();
    const timer = setTimeout(() => end('expired'), Math.max(0, Math.min(left, 2 ** 31 - 1)));
    const tick = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => {
      clearTimeout(timer);
      clearInterval(tick);
    };
  }, [session, end]);

  // A session restored from the tab may have been ended elsewhere (signed out, disabled).
  const restored = useRef(session !== null);
  useEffect(() => {
    if (!restored.current) return;
    restored.current = false;
    api.get<MeAnswer>('issuance', '/auth/me').catch(() => end('expired'));
  }, [api, end]);

  const signIn = useCallback(
    async (username: string, password: string, counterId?: string) => {
      const answer = await api.post<LoginAnswer>('issuance', '/auth/login', {
        username,
        password,
        ...(counterId === undefined || counterId === '' ? {} : { counterId }),
      });
      const next: Session = {
        token: answer.token,
        expiresAt: answer.expiresAt,
        staff: answer.staff,
        counterId: counterId === undefined || counterId === '' ? null : counterId,
      };
      tokenRef.current = next.token;
      store(next);
      setEndedBecause(undefined);
      setNow(Date.now());
      setSession(next);
    },
    [api],
  );

  const signOut = useCallback(async () => {
    try {
      await api.post('issuance', '/auth/logout');
    } catch {
      // The session ends here whatever the service says.
    }
    end('signed-out');
  }, [api, end]);

  const value = useMemo<SessionContext>(
    () => ({
      session,
      endedBecause,
      remainingMs: session === null ? null : Date.parse(session.expiresAt) - now,
      api,
      signIn,
      signOut,
      hasRole: (...roles) => session !== null && roles.some((r) => session.staff.roles.includes(r)),
    }),
    [session, endedBecause, now, api, signIn, signOut],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useSession(): SessionContext {
  const value = useContext(Context);
  if (value === null) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The API client of a signed-in screen. */
export function useApi(): ApiClient {
  return useSession().api;
}
