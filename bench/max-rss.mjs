// Loaded with `node --import` by bench/replay.mjs: when the process ends, writes its peak resident
// set size (KiB, from getrusage) to the file named by BENCH_MAX_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_MAX_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
