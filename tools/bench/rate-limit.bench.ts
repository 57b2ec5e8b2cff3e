/**
 * npm run bench:rate-limit — the gateway's write limit counted by
 * HitQueueStorage (ADR 0075) against @nestjs/throttler's own in-memory storage, in the same
 * process, rounds interleaved so that the machine's load hits both alike. One caller writes at
 * BENCH_RATE_LIMIT_RATE per second (default 200) in a window of BENCH_RATE_LIMIT_WINDOW_MS
 * (default 60000, RATE_LIMIT_WINDOW_MS's default) under a limit it never reaches; each round first
 * fills the window (rate × window hits, on a clock the bench moves), then times
 * BENCH_RATE_LIMIT_HITS further hits (default 20000). Prints CPU µs per hit and the ratio.
 */
import { ThrottlerStorageService } from '@nestjs/throttler';
import { HitQueueStorage } from '../../apps/gateway/src/hardening/hit-queue-storage';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const rate = env('BENCH_RATE_LIMIT_RATE', 200);
const windowMs = env('BENCH_RATE_LIMIT_WINDOW_MS', 60_000);
const hits = env('BENCH_RATE_LIMIT_HITS', 20_000);
const rounds = env('BENCH_RATE_LIMIT_ROUNDS', 3);
const LIMIT = 10_000_000;

let clock = 1_700_000_000_000;
const realNow = Date.now;
// The library reads Date.now(); both storages see the bench's clock, a hit every 1000/rate ms.
Date.now = () => Math.floor(clock);

type Storage = Pick<HitQueueStorage, 'increment'> & { onApplicationShutdown(): void };

async function round(make: () => Storage): Promise<number> {
  const storage = make();
  const step = 1000 / rate;
  const hit = () => storage.increment('writes:token:bench', windowMs, LIMIT, windowMs, 'writes');
  for (let i = 0; i < (rate * windowMs) / 1000; i += 1, clock += step) await hit();
  const start = process.cpuUsage();
  for (let i = 0; i < hits; i += 1, clock += step) await hit();
  const used = process.cpuUsage(start);
  storage.onApplicationShutdown();
  return (used.user + used.system) / hits;
}

async function main(): Promise<void> {
  const library: number[] = [];
  const ours: number[] = [];
  for (let r = 0; r < rounds; r += 1) {
    library.push(await round(() => new ThrottlerStorageService()));
    ours.push(await round(() => new HitQueueStorage(() => Date.now())));
  }
  Date.now = realNow;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const live = (rate * windowMs) / 1000;
  console.log(`rate limit, one caller at ${rate}/s in a ${windowMs / 1000} s window (${live} live hits):`);
  console.log(`  @nestjs/throttler's storage  ${median(library).toFixed(2)} µs CPU per hit`);
  console.log(`  HitQueueStorage              ${median(ours).toFixed(2)} µs CPU per hit`);
  console.log(`  ratio (ours / library)       ${(median(ours) / median(library)).toFixed(4)}`);
}

void main();
