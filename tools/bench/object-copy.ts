/**
 * The copy of an object with fields added, by a literal that starts with a spread against
 * `copyWith` (ADR 0089), in one process, in interleaved rounds: the time per copy of each and
 * their ratio. In Node 20 (V8 11.3) the literal takes the runtime's slow path for every field the
 * spread did not copy; run this again on a newer Node before relying on the spread in hot code.
 *
 *   node tools/run-ts.js tools/bench/object-copy.ts
 *   # ROUNDS: interleaved rounds (default 5); COPIES: copies per round and way (default 200000)
 */
import { copyWith } from '@prov/domain';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const COPIES = Number(process.env.COPIES ?? 200_000);

/** A stored assignment's shape: what the folds copy. */
const base = {
  exists: true,
  assignmentId: 'a-1',
  identityId: 'i-1',
  entitlementId: 'ldap_staff',
  requestedAt: '2026-12-05T07:00:00.000Z',
  workflowState: 'Requested',
  orders: {},
};

type Way = (i: number) => object;
const scenarios: [string, Way, Way][] = [
  [
    'one field added',
    (i) => ({ ...base, currentOrderId: `o-${i & 7}` }),
    (i) => copyWith(base, { currentOrderId: `o-${i & 7}` }),
  ],
  [
    'four fields added',
    (i) => ({ ...base, currentOrderId: `o-${i & 7}`, revokedAt: 'x', comment: 'c', attempt: i }),
    (i) => copyWith(base, { currentOrderId: `o-${i & 7}`, revokedAt: 'x', comment: 'c', attempt: i }),
  ],
  [
    'one field replaced',
    (i) => ({ ...base, workflowState: i & 1 ? 'Revoked' : 'Requested' }),
    (i) => copyWith(base, { workflowState: i & 1 ? 'Revoked' : 'Requested' }),
  ],
];

let sink: unknown;
function nsPerCopy(way: Way): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < COPIES; i++) sink = way(i);
  return Number(process.hrtime.bigint() - started) / COPIES;
}

for (const [name, spread, copied] of scenarios) {
  for (let i = 0; i < 20_000; i++) sink = [spread(i), copied(i)];
  const times = { spread: [] as number[], copyWith: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    // Reversed every round, so that neither way always runs first.
    const order: ['spread' | 'copyWith', Way][] = [
      ['spread', spread],
      ['copyWith', copied],
    ];
    if (round % 2) order.reverse();
    for (const [way, run] of order) times[way].push(nsPerCopy(run));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const [s, c] = [median(times.spread), median(times.copyWith)];
  console.log(
    `${name.padEnd(20)} spread ${s.toFixed(0).padStart(6)} ns  copyWith ${c.toFixed(0).padStart(5)} ns  copyWith/spread ${(c / s).toFixed(3)}`,
  );
}
if (sink === undefined) console.log('');
