// A CPU profiler for a service under a bench: BENCH_GATEWAY_NODE_OPTIONS=--import=<this file>
// (Node refuses --cpu-prof in NODE_OPTIONS). Sampling starts as the process loads; on SIGTERM,
// which is how a bench stops its services, the profile is written to
// $CITYCARD_PROFILE_DIR (default: the temp dir) as <pid>.cpuprofile, for Chrome DevTools or
// `node bench/src/profile-summary.mjs <file>`, and the process exits.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import path from 'node:path';

const dir = process.env.CITYCARD_PROFILE_DIR ?? tmpdir();
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 500 });
session.post('Profiler.start');
process.prependOnceListener('SIGTERM', () => {
  session.post('Profiler.stop', (err, result) => {
    if (err === null && result !== undefined) {
      writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    }
    process.exit(0);
  });
});
