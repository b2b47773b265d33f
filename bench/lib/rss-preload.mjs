// Preloaded into every Node process of a measured tree (through NODE_OPTIONS="--import=...", which
// child Node processes inherit). On exit it appends the process's own peak resident set size, as the
// kernel counted it (getrusage ru_maxrss, i.e. VmHWM), to the file named by BENCH_RSS_FILE.
//
// Why this rather than only polling /proc: the kernel's high-water mark is exact, while a poller
// sees the process only at its sampling instants and loses whatever happens between the last
// sample and exit (results writing, often the peak). The poller in measure.mjs remains as the
// fallback for processes that die without running 'exit' handlers (SIGKILL on timeout, fatal OOM).
import { appendFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const file = process.env.BENCH_RSS_FILE;
// Worker threads share the process's memory and its ru_maxrss; only the main thread reports.
if (file && isMainThread) {
  process.on('exit', () => {
    try {
      const line = JSON.stringify({
        pid: process.pid,
        ppid: process.ppid,
        // resourceUsage().maxRSS is in kilobytes (Linux ru_maxrss).
        maxRssKb: process.resourceUsage().maxRSS,
        node: process.version,
        script: process.argv[1] ?? null,
      });
      appendFileSync(file, line + '\n');
    } catch {
      // Measuring must never change the measured process's outcome.
    }
  });
}
