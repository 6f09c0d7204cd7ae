// Preloaded by the benchmark (NODE_OPTIONS=--require): each Node.js process of a measured command
// appends its peak resident set size (KB) to BENCH_RSS_FILE; the benchmark takes the largest.
process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) require('fs').appendFileSync(process.env.BENCH_RSS_FILE, `${process.resourceUsage().maxRSS}\n`);
});
