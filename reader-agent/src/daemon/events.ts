import type { CardIdentity, CardKind } from '@citycard/core/card';

export interface CardView {
  readonly uid: string;
  readonly kind: CardKind;
  readonly atr: string;
}

export interface ReaderView {
  readonly name: string;
  readonly card: CardView | null;
}

/** What the console's event stream carries; names are the SSE `event:` field. */
export type AgentEvent =
  | { readonly type: 'reader'; readonly data: ReaderView }
  | { readonly type: 'readerRemoved'; readonly data: { readonly name: string } }
  | { readonly type: 'card'; readonly data: CardView & { readonly reader: string } }
  | {
      readonly type: 'cardRemoved';
      readonly data: { readonly reader: string; readonly uid: string };
    }
  | {
      readonly type: 'planProgress';
      readonly data: {
        readonly reader: string;
        readonly planId: string;
        readonly index: number;
        readonly total: number;
      };
    }
  | {
      readonly type: 'report';
      readonly data: { readonly planId: string; readonly status: string };
    }
  | {
      readonly type: 'error';
      readonly data: { readonly reader?: string; readonly code: string; readonly message: string };
    };

export type AgentEventListener = (event: AgentEvent) => void;

export class EventBus {
  private readonly listeners = new Set<AgentEventListener>();

  on(listener: AgentEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: AgentEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // One broken stream must not keep the event from the others.
      }
    }
  }
}

export function cardView(identity: CardIdentity): CardView {
  return {
    uid: identity.uid.toString('hex').toUpperCase(),
    kind: identity.kind,
    atr: identity.atr.toString('hex').toUpperCase(),
  };
}
