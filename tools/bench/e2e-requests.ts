/**
 * What bench:e2e sends and waits for (tools/bench/e2e.bench.ts): the identities registered before
 * anything is measured, the single requests (one assignment each, as a requester sends them),
 * the count of Executed assignments, and the services' idleness before the burst.
 */
import type { Pool } from 'pg';
import { type ApiClient, type RunningSystem, type ServiceInstance, waitFor } from '@prov/testing';
import { inFlight } from './in-flight';
import { KeptAliveClient } from './kept-alive-client';
import { processCpuMs } from './process-cpu';

/** Identities registered per call: the batch call's limit. */
export const MAX_BATCH = 1000;

/** Registers every identity, MAX_BATCH a call, and prints the rate. */
export async function registerIdentities(admin: ApiClient, identities: readonly string[]): Promise<void> {
  const registrationStart = Date.now();
  for (let from = 0; from < identities.length; from += MAX_BATCH) {
    const items = identities.slice(from, from + MAX_BATCH).map((id) => ({
      id,
      login: id,
      firstName: 'Bench',
      lastName: `User${id}`,
      email: `${id}@example.test`,
    }));
    const answer = await admin.post('/api/identities/batch', { body: { items }, timeoutMs: 600_000 });
    if (answer.status !== 200 || answer.body.errors > 0)
      throw new Error(`registration answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 500)}`);
  }
  const registrationSeconds = (Date.now() - registrationStart) / 1000;
  console.log(
    `registration (POST /api/identities/batch, ${MAX_BATCH} a call): ${identities.length} identities in ${registrationSeconds.toFixed(1)} s = ${(identities.length / registrationSeconds).toFixed(0)}/s`,
  );
}

/**
 * `request(i)` asks for `entitlementId` for identity i and answers the assignment's id; `sentAt`
 * holds when the bench sent each request (its first attempt), by assignment id.
 */
export function singleRequests(system: RunningSystem, identities: readonly string[], entitlementId: string) {
  const sentAt = new Map<string, number>();
  // The same requests as the requester's ApiClient would send, at a third of its CPU (ADR 0067).
  const singles = new KeptAliveClient(system.apiUrl);
  const request = async (index: number, attempt = 1, sent = Date.now()): Promise<string> => {
    const response = await singles
      .post('/api/assignments', {
        token: system.tokens.requester,
        body: { identityId: identities[index], entitlementId },
        // Longer than the services' COMMAND_TIMEOUT_MS: a saturated machine answers late, not never.
        timeoutMs: 120_000,
      })
      .catch((error: Error) => {
        // A kept-alive connection the gateway closed as it was reused ("socket hang up"):
        // send again; a request that did arrive answers 200 with the same assignment.
        if (attempt < 3 && /socket hang up|ECONNRESET/.test(error.message)) return undefined;
        throw error;
      });
    if (!response) return request(index, attempt + 1, sent);
    if (response.status !== 202 && !(attempt > 1 && response.status === 200))
      throw new Error(`request ${index} answered ${response.status}: ${JSON.stringify(response.body)}`);
    sentAt.set(response.body.assignmentId as string, sent);
    return response.body.assignmentId as string;
  };
  return { request, sentAt, close: () => singles.close() };
}

/** Waits until `count` assignments are 8 Executed, counted in the read model directly. */
export function executed(readModel: Pool, count: number, timeoutMs: number): Promise<number> {
  return waitFor(
    async () =>
      Number(
        (await readModel.query('SELECT count(*) AS n FROM rm.assignments WHERE provisioning_state_code = 8'))
          .rows[0].n,
      ),
    {
      until: (n) => n >= count,
      timeoutMs,
      intervalMs: 100,
      description: `${count} assignments Executed`,
    },
  );
}

/** Waits until the services together spend under 60 ms of CPU a second. */
export async function servicesIdle(
  system: RunningSystem,
  services: readonly ServiceInstance[],
): Promise<void> {
  const servicesCpuMs = () =>
    services.reduce((sum, service) => sum + processCpuMs(system.pid(service) ?? 0), 0);
  await waitFor(
    async () => {
      const before = servicesCpuMs();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return servicesCpuMs() - before;
    },
    {
      until: (ms) => ms < 60,
      timeoutMs: 300_000,
      intervalMs: 0,
      description: 'services idle after the registration',
    },
  );
}

/** Sends requests `from` … `from + count - 1`, `workers` at a time; answers their assignment ids. */
export function sendConcurrently(
  request: (index: number) => Promise<string>,
  from: number,
  count: number,
  workers: number,
): Promise<string[]> {
  return inFlight(count, workers, (index) => request(from + index));
}

/**
 * The warm-up before the burst: `count` requests (the first identities), waited for until
 * Executed (`allExecuted`), their rate printed and not measured otherwise. Services that have
 * just started run the order path in V8's interpreter and baseline code: code that runs once per
 * batch of orders is optimized only after thousands of orders, and until then the engine spends
 * up to half as much CPU again per order as one at work (docs/benchmarks.md, ADR 0081).
 */
export async function warmUp(
  request: (index: number) => Promise<string>,
  count: number,
  workers: number,
  allExecuted: () => Promise<unknown>,
): Promise<void> {
  const started = Date.now();
  await sendConcurrently(request, 0, count, workers);
  await allExecuted();
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `warm-up (${count} requests to services just started, not measured): ${(count / seconds).toFixed(1)} orders/s`,
  );
}
