import cliProgress from 'cli-progress';

/** A progress bar on a terminal; plain lines when stdout is a pipe or a CI log. */
export function progressBar(
  label: string,
  total: number,
): { tick(detail?: string): void; stop(): void } {
  if (!process.stderr.isTTY) {
    let done = 0;
    return {
      tick(detail) {
        done += 1;
        process.stderr.write(
          `${label} ${done}/${total}${detail === undefined ? '' : ` ${detail}`}\n`,
        );
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {detail}`,
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { detail: '' });
  return {
    tick(detail) {
      bar.increment(1, { detail: detail ?? '' });
    },
    stop() {
      bar.stop();
    },
  };
}
