export { HotlistStore, type HotlistSnapshot, type HotlistView } from './hotlist-store.js';
export { VersionedStore, type Versioned } from './versioned-store.js';
export { FareSetStore, OperatorConfigStore, createFareSetStore } from './fare-set-store.js';
export { GatewayClock, measureClockOffset, offsetFromSample, type ClockSample } from './clock.js';
export { SyncClient, type SyncClientOptions, type SyncSummary } from './sync-client.js';
export { SYNC_FILES, readSyncFile, saveSyncFile } from './sync-files.js';
