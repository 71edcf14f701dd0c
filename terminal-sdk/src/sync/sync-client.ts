import { isAppError } from '@citycard/core/errors';
import {
  PROTOCOL_PATHS,
  fareSetsResponseSchema,
  hotlistPath,
  hotlistResponseSchema,
  operatorConfigResponseSchema,
  timeResponseSchema,
} from '../protocol/index.js';
import type { GatewayClient } from '../uploader/gateway-client.js';
import { GatewayClock, measureClockOffset, type ClockSample } from './clock.js';
import type { FareSetStore, OperatorConfigStore } from './fare-set-store.js';
import type { HotlistStore } from './hotlist-store.js';
import { SYNC_FILES, readSyncFile, saveSyncFile } from './sync-files.js';

export interface SyncClientOptions<F> {
  client: GatewayClient;
  hotlist: HotlistStore;
  fareSets?: FareSetStore<F>;
  config?: OperatorConfigStore;
  clock?: GatewayClock;
  /** The local clock, for the offset measurement. */
  now?: () => number;
  /** Where the last sync is kept for a restart without the gateway (see restore()). */
  dir?: string;
}

export interface SyncSummary {
  hotlistVersion: number;
  hotlistKind: 'delta' | 'full';
  faresChanged: boolean | undefined;
  configChanged: boolean | undefined;
  clock: ClockSample;
}

/** Pulls what a terminal needs to sell offline: hotlist, fare sets, configuration, time. */
export class SyncClient<F = unknown> {
  readonly #opts: SyncClientOptions<F>;
  readonly clock: GatewayClock;
  #faresEtag: string | undefined;
  #configEtag: string | undefined;

  constructor(options: SyncClientOptions<F>) {
    this.#opts = options;
    this.clock = options.clock ?? new GatewayClock(options.now);
  }

  /** Applies the delta since the version held; a delta that does not fit triggers a full list. */
  async syncHotlist(): Promise<'delta' | 'full'> {
    const { client, hotlist } = this.#opts;
    const { data } = await client.request(
      'GET',
      hotlistPath(hotlist.version),
      hotlistResponseSchema,
    );
    if (!data) return 'delta';
    let kind: 'delta' | 'full' = data.kind;
    try {
      hotlist.apply(data);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'HOTLIST_DELTA_MISMATCH') throw error;
      const full = await client.request('GET', hotlistPath(0), hotlistResponseSchema);
      if (full.data) hotlist.apply(full.data);
      kind = 'full';
    }
    if (this.#opts.dir) {
      const { version, entries } = hotlist.snapshot();
      await saveSyncFile(this.#opts.dir, SYNC_FILES.hotlist, { version, entries: [...entries] });
    }
    return kind;
  }

  /** Loads what the last sync saved into the stores; returns what was found. */
  async restore(): Promise<{ hotlist: boolean; fares: boolean; config: boolean }> {
    const dir = this.#opts.dir;
    if (!dir) return { hotlist: false, fares: false, config: false };
    const hotlist = await readSyncFile(dir, SYNC_FILES.hotlist);
    if (hotlist) this.#opts.hotlist.apply({ v: 1, kind: 'full', ...hotlist });
    const fares = await readSyncFile(dir, SYNC_FILES.fares);
    if (fares && this.#opts.fareSets) {
      this.#opts.fareSets.replaceFromEnvelopes(fares.response.fareSets);
      this.#faresEtag = fares.etag;
    }
    const config = await readSyncFile(dir, SYNC_FILES.config);
    if (config && this.#opts.config) {
      this.#opts.config.replaceFromConfigs(config.response.configs);
      this.#configEtag = config.etag;
    }
    return { hotlist: !!hotlist, fares: !!fares, config: !!config };
  }

  async syncFares(): Promise<boolean | undefined> {
    const store = this.#opts.fareSets;
    if (!store) return undefined;
    const result = await this.#opts.client.request(
      'GET',
      PROTOCOL_PATHS.fares,
      fareSetsResponseSchema,
      {
        ifNoneMatch: this.#faresEtag,
      },
    );
    if (!result.data) return false;
    store.replaceFromEnvelopes(result.data.fareSets);
    this.#faresEtag = result.etag;
    if (this.#opts.dir) {
      await saveSyncFile(this.#opts.dir, SYNC_FILES.fares, {
        etag: result.etag,
        response: result.data,
      });
    }
    return true;
  }

  async syncConfig(): Promise<boolean | undefined> {
    const store = this.#opts.config;
    if (!store) return undefined;
    const result = await this.#opts.client.request(
      'GET',
      PROTOCOL_PATHS.config,
      operatorConfigResponseSchema,
      {
        ifNoneMatch: this.#configEtag,
      },
    );
    if (!result.data) return false;
    store.replaceFromConfigs(result.data.configs);
    this.#configEtag = result.etag;
    if (this.#opts.dir) {
      await saveSyncFile(this.#opts.dir, SYNC_FILES.config, {
        etag: result.etag,
        response: result.data,
      });
    }
    return true;
  }

  async syncClock(samples = 3): Promise<ClockSample> {
    const sample = await measureClockOffset(
      async () => {
        const { data } = await this.#opts.client.request(
          'GET',
          PROTOCOL_PATHS.time,
          timeResponseSchema,
        );
        return new Date(data?.serverTime ?? Number.NaN);
      },
      this.#opts.now,
      samples,
    );
    this.clock.update(sample);
    return sample;
  }

  async syncAll(): Promise<SyncSummary> {
    const clock = await this.syncClock();
    const hotlistKind = await this.syncHotlist();
    const faresChanged = await this.syncFares();
    const configChanged = await this.syncConfig();
    return {
      hotlistVersion: this.#opts.hotlist.version,
      hotlistKind,
      faresChanged,
      configChanged,
      clock,
    };
  }
}
