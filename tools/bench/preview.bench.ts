/**
 * The what-if preview at scale: BENCH_IDENTITIES identities (default 100,000), each with an HR
 * application reader and a building badge from the sample role model, their orders Verified
 * with what the model computes. Three timings, in one run so that they share the machine's load:
 *
 *   baseline    the model in force evaluated once per assignment (the CPU floor of any preview)
 *   unchanged   the preview with the model in force as candidate (nothing to report)
 *   changed     a changed attribute expression and a removed entitlement (200,000 orders)
 *
 * Reported as milliseconds and as ratios to the baseline, with the peak heap: identities come a
 * batch of 1000 at a time, as the gateway's read-model scan gives them, so memory holds one batch
 * and the counts. The scan's queries (two per batch) are not in these figures; see docs/benchmarks.md.
 *
 *   npm run bench:preview
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Assignment, ProvisioningOrder, RegisteredIdentity } from '@prov/domain';
import {
  addToSummary,
  emptySummary,
  identityAttributes,
  previewSubject,
  type PreviewSubject,
} from '@prov/platform';
import { parseRoleModel, type RoleModel } from '@prov/role-model';

const IDENTITIES = Number(process.env.BENCH_IDENTITIES ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BATCH = 1000;
const SAMPLE = readFileSync(join(__dirname, '../../deploy/role-model/sample.yaml'), 'utf8');
const NOW = new Date();

/** Identities `from` to `from + count - 1`, as a page of the gateway's read-model scan gives them. */
function subjects(model: RoleModel, from: number, count: number): PreviewSubject[] {
  const at = NOW.toISOString();
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    const identityId = `bench-${n}`;
    const identity: RegisteredIdentity = {
      exists: true,
      identityId,
      login: `user${n}`,
      firstName: 'Bench',
      lastName: `Person ${n}`,
      email: `user${n}@example.test`,
      department: n % 10 === 0 ? 'Finance' : 'IT',
      attributes: {},
      registeredAt: at,
      updatedAt: at,
      active: true,
      holdings: {},
    };
    const assignments = ['hr_app_reader', 'building_badge'].map((entitlementId): Assignment => {
      const evaluated = model.evaluate(identityAttributes(identity), entitlementId);
      const order: ProvisioningOrder = {
        orderId: `${identityId}-${entitlementId}`,
        changeType: 'Added',
        connectionId: evaluated.connectionId,
        resourceTypeId: evaluated.resourceTypeId,
        fulfillment: evaluated.fulfillment,
        changes: evaluated.changes as unknown as Record<string, unknown>,
        requiresReview: false,
        stateCode: 4,
        attempt: 1,
        open: false,
        updatedAt: at,
      };
      const assignmentId = `${identityId}-${entitlementId}`;
      identity.holdings[entitlementId] = { assignmentId, holders: ['request'] };
      return {
        exists: true,
        assignmentId,
        identityId,
        entitlementId,
        requestedAt: at,
        workflowState: 'Requested',
        orders: { [order.orderId]: order },
        currentOrderId: order.orderId,
      };
    });
    return { identity, assignments };
  });
}

/** Milliseconds `run` takes. */
function timed(run: () => void): number {
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

type PreviewSummary = ReturnType<typeof emptySummary>;
const page: unknown[] = [];

/** As the gateway does: every order counted, only a page (the first 100) kept. */
function previewInto(
  summary: PreviewSummary,
  current: RoleModel,
  candidate: RoleModel,
  batch: PreviewSubject[],
): void {
  const models = { current, candidate, now: NOW };
  for (const subject of batch) {
    const own = previewSubject(models, subject);
    addToSummary(summary, subject, own);
    if (page.length < 100) page.push(...own);
  }
}

function main() {
  const current = parseRoleModel(SAMPLE, 'sample.yaml');
  const candidate = parseRoleModel(
    SAMPLE.replace(
      '      displayName: trim(concat(firstName, " ", lastName))\n      email: email',
      '      displayName: upper(lastName)\n      email: email',
    ).replace('  - id: building_badge\n    name: Building badge\n    resourceType: badge\n\n', ''),
    'candidate.yaml',
  );
  // A batch at a time, as the gateway reads the read models (1000 identities per page): memory
  // holds one batch and the counts. Building a batch is not timed; each variant runs on the same
  // batch in turn, so the three totals share the machine's load.
  let best = { baseline: Infinity, unchanged: Infinity, changed: Infinity };
  let assignments = 0;
  let unchangedSummary = emptySummary();
  let changedSummary = emptySummary();
  let peakHeap = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const totals = { baseline: 0, unchanged: 0, changed: 0 };
    unchangedSummary = emptySummary();
    changedSummary = emptySummary();
    assignments = 0;
    for (let from = 0; from < IDENTITIES; from += BATCH) {
      const batch = subjects(current, from, Math.min(BATCH, IDENTITIES - from));
      totals.baseline += timed(() => {
        for (const s of batch)
          for (const a of s.assignments)
            if (current.evaluate(identityAttributes(s.identity), a.entitlementId)) assignments++;
      });
      totals.unchanged += timed(() => previewInto(unchangedSummary, current, current, batch));
      totals.changed += timed(() => previewInto(changedSummary, current, candidate, batch));
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }
    best = {
      baseline: Math.min(best.baseline, totals.baseline),
      unchanged: Math.min(best.unchanged, totals.unchanged),
      changed: Math.min(best.changed, totals.changed),
    };
  }
  const baseline = { ms: best.baseline, result: assignments };
  const unchanged = { ms: best.unchanged, result: unchangedSummary };
  const changed = { ms: best.changed, result: changedSummary };
  const ratio = (ms: number) => (ms / baseline.ms).toFixed(2);
  console.log(
    JSON.stringify(
      {
        identities: IDENTITIES,
        assignments: baseline.result,
        rounds: ROUNDS,
        node: process.version,
        cpus: cpus().length,
        loadAverage1m: loadavg()[0].toFixed(2),
        baselineMs: Math.round(baseline.ms),
        unchanged: {
          ms: Math.round(unchanged.ms),
          ratio: ratio(unchanged.ms),
          orders: unchanged.result.orders,
        },
        changed: {
          ms: Math.round(changed.ms),
          ratio: ratio(changed.ms),
          orders: changed.result.orders,
          byConnection: changed.result.byConnection,
        },
        batch: BATCH,
        peakHeapUsedMb: Math.round(peakHeap / 1e6),
      },
      null,
      2,
    ),
  );
}

main();
