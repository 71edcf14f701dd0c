import { backoffDelay, type BackoffOptions } from './backoff.js';
import type { UploadResult, Uploader } from './uploader.js';

export interface UploadLoopOptions {
  intervalMs: number;
  backoff?: BackoffOptions;
  onUploaded?: (results: UploadResult[]) => void;
  /** Errors never stop the loop: the records stay in the journal and the loop tries again. */
  onError?: (error: unknown) => void;
}

export interface UploadLoop {
  /** Uploads now instead of at the next interval (after a sale, when the network returns). */
  kick(): void;
  stop(): Promise<void>;
}

/** Drains the journal every interval, backing off while the gateway refuses or is unreachable. */
export function startUploadLoop(uploader: Uploader, options: UploadLoopOptions): UploadLoop {
  let stopped = false;
  let failures = 0;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    }).finally(() => {
      clearTimeout(timer);
      wake = undefined;
    });

  const running = (async () => {
    while (!stopped) {
      // Batches acknowledged before a later one fails are reported all the same.
      const results: UploadResult[] = [];
      try {
        for (let r = await uploader.uploadOnce(); r; r = await uploader.uploadOnce()) {
          results.push(r);
        }
        failures = 0;
      } catch (error) {
        failures++;
        options.onError?.(error);
      } finally {
        if (results.length > 0) options.onUploaded?.(results);
      }
      if (stopped) break;
      await pause(failures > 0 ? backoffDelay(failures - 1, options.backoff) : options.intervalMs);
    }
  })();

  return {
    kick: () => wake?.(),
    async stop() {
      stopped = true;
      wake?.();
      await running;
    },
  };
}
