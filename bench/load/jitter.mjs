// How steady the machine is: an idle Node process asks for a 1 ms timer over and over and records how
// late each one fires. On a quiet machine the worst is a millisecond or two; tens of milliseconds mean
// other work (or a hypervisor) takes the cpu away, and every latency measured here carries that noise.
// Prints one JSON line: { ticks, p99Ms, maxMs, over10ms }.
const ms = Number(process.argv[2] ?? 3000);
const gaps = [];
let last = performance.now();
const iv = setInterval(() => {
  const t = performance.now();
  gaps.push(Math.max(0, t - last - 1));
  last = t;
}, 1);
setTimeout(() => {
  clearInterval(iv);
  gaps.sort((a, b) => a - b);
  const p99 = gaps[Math.floor(gaps.length * 0.99)] ?? 0;
  const max = gaps.at(-1) ?? 0;
  process.stdout.write(JSON.stringify({ ticks: gaps.length, p99Ms: Math.round(p99 * 10) / 10, maxMs: Math.round(max * 10) / 10, over10ms: gaps.filter((g) => g > 10).length }) + '\n');
}, ms);
