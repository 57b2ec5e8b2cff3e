/**
 * The what-if preview at scale: BENCH_IDENTITIES identities (default 100,000), each with an HR
 * application reader and a building badge from the sample role model, their orders Verified
 * with what the model computes. Three timings, in one run so that they share the machine's load:
 *
 *   baseline    the model in force evaluated once per assignment (the CPU floor of any preview)
 *   unchanged   the preview with the model in force as candidate (nothing to report)
 *   changed     a changed attribute expression and a removed entitlement (200,000 orders)
 *
 * Reported as milliseconds and as ratios to the baseline. The read-model scan that feeds the
 * gateway (two queries per 1000 identities) is not in these figures; see docs/benchmarks.md.
 *
 *   npm run bench:preview
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Assignment, ProvisioningOrder, RegisteredIdentity } from '@prov/domain';
import { addToSummary, emptySummary, identityAttributes, previewSubject, type PreviewSubject } from '@prov/platform';
import { parseRoleModel, type RoleModel } from '@prov/role-model';

const IDENTITIES = Number(process.env.BENCH_IDENTITIES ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SAMPLE = readFileSync(join(__dirname, '../../deploy/role-model/sample.yaml'), 'utf8');
const NOW = new Date();

function subjects(model: RoleModel): PreviewSubject[] {
  const at = NOW.toISOString();
  return Array.from({ length: IDENTITIES }, (_, n) => {
    const identityId = `bench-${n}`;
    const identity: RegisteredIdentity = {
      exists: true, identityId, login: `user${n}`, firstName: 'Bench', lastName: `Person ${n}`, email: `user${n}@example.test`,
      department: n % 10 === 0 ? 'Finance' : 'IT', attributes: {}, registeredAt: at, updatedAt: at, active: true, holdings: {},
    };
    const assignments = ['hr_app_reader', 'building_badge'].map((entitlementId): Assignment => {
      const evaluated = model.evaluate(identityAttributes(identity), entitlementId);
      const order: ProvisioningOrder = {
        orderId: `${identityId}-${entitlementId}`, changeType: 'Added', connectionId: evaluated.connectionId,
        resourceTypeId: evaluated.resourceTypeId, fulfillment: evaluated.fulfillment,
        changes: evaluated.changes as unknown as Record<string, unknown>, requiresReview: false,
        stateCode: 4, attempt: 1, open: false, updatedAt: at,
      };
      const assignmentId = `${identityId}-${entitlementId}`;
      identity.holdings[entitlementId] = { assignmentId, holders: ['request'] };
      return { exists: true, assignmentId, identityId, entitlementId, requestedAt: at, workflowState: 'Requested', orders: { [order.orderId]: order }, currentOrderId: order.orderId };
    });
    return { identity, assignments };
  });
}

function time<T>(run: () => T): { ms: number; result: T } {
  let best = Infinity;
  let result!: T;
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint();
    result = run();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
  }
  return { ms: best, result };
}

function preview(current: RoleModel, candidate: RoleModel, all: PreviewSubject[]) {
  // As the gateway does: every order counted, only a page (the first 100) kept.
  const models = { current, candidate, now: NOW };
  const summary = emptySummary();
  const page = [];
  for (const subject of all) {
    const own = previewSubject(models, subject);
    addToSummary(summary, subject, own);
    if (page.length < 100) page.push(...own);
  }
  return summary;
}

function main() {
  const current = parseRoleModel(SAMPLE, 'sample.yaml');
  const candidate = parseRoleModel(
    SAMPLE.replace('      displayName: trim(concat(firstName, " ", lastName))\n      email: email', '      displayName: upper(lastName)\n      email: email')
      .replace('  - id: building_badge\n    name: Building badge\n    resourceType: badge\n\n', ''),
    'candidate.yaml',
  );
  const all = subjects(current);
  const baseline = time(() => {
    let n = 0;
    for (const s of all) for (const a of s.assignments) if (current.evaluate(identityAttributes(s.identity), a.entitlementId)) n++;
    return n;
  });
  const unchanged = time(() => preview(current, current, all));
  const changed = time(() => preview(current, candidate, all));
  const ratio = (ms: number) => (ms / baseline.ms).toFixed(2);
  console.log(JSON.stringify({
    identities: IDENTITIES, assignments: baseline.result, rounds: ROUNDS, node: process.version, cpus: cpus().length,
    loadAverage1m: loadavg()[0].toFixed(2),
    baselineMs: Math.round(baseline.ms),
    unchanged: { ms: Math.round(unchanged.ms), ratio: ratio(unchanged.ms), orders: unchanged.result.orders },
    changed: { ms: Math.round(changed.ms), ratio: ratio(changed.ms), orders: changed.result.orders, byConnection: changed.result.byConnection },
    heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1e6),
  }, null, 2));
}

main();
