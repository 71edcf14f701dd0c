import type { FareSetEnvelope, OperatorConfig, OperatorSettings } from '../protocol/index.js';
import { VersionedStore, type Versioned } from './versioned-store.js';

/**
 * Fare sets by effective time. The body is validated by the fare module's parser, passed in so
 * that this store stays independent of the fare model: `createFareSetStore(parseFareSet)`.
 */
export class FareSetStore<F> extends VersionedStore<F> {
  readonly #parseBody: (body: unknown) => F;

  constructor(parseBody: (body: unknown) => F) {
    super('FARE_SET_NOT_IN_FORCE');
    this.#parseBody = parseBody;
  }

  /** Parses every body first: one bad fare set leaves the store as it was. */
  replaceFromEnvelopes(envelopes: readonly FareSetEnvelope[]): void {
    const items: Versioned<F>[] = envelopes.map((e) => ({
      version: e.version,
      effectiveFrom: new Date(e.effectiveFrom),
      value: this.#parseBody(e.body),
    }));
    this.replace(items);
  }
}

export function createFareSetStore<F>(parseBody: (body: unknown) => F): FareSetStore<F> {
  return new FareSetStore(parseBody);
}

export class OperatorConfigStore extends VersionedStore<OperatorSettings> {
  constructor() {
    super('OPERATOR_CONFIG_NOT_IN_FORCE');
  }

  replaceFromConfigs(configs: readonly OperatorConfig[]): void {
    this.replace(
      configs.map((c) => ({
        version: c.version,
        effectiveFrom: new Date(c.effectiveFrom),
        value: c.settings,
      })),
    );
  }
}
