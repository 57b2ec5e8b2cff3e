/**
 * Seeds the scale benchmark's store with the events a real load leaves behind, decided by the
 * domain's own deciders (so the projections accept them) with orders computed by the bench's role
 * model (scale-model.ts), and written through the store's batch append (appendMany), not the API:
 * - one registration per identity;
 * - per assignment: the hold on the identity's stream (EntitlementHeld) and the assignment's own
 *   stream (requested, automatic order generated, executed);
 * - per earlier change of the account (`changes`, for a log of ten million events): the order
 *   before it verified, a Modified order and its execution: three more events. The older orders
 *   carry another department than the identity has now; the last one is what the model computes.
 * An identity's holds are spread over the whole log (assignment i belongs to identity i mod N), so
 * a replay meets most identities again long after the page that registered them.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import {
  type AssignmentCommand,
  type AssignmentEvent,
  assignmentDecider,
  assignmentStreamName,
  foldEvents,
  identityDecider,
  type IdentityEvent,
  identityStreamName,
  type RegisteredIdentity,
} from '@prov/domain';
import type { EventData, PostgresEventStore } from '@prov/event-store';
import { identityAttributes } from '@prov/platform';
import type { RoleModel } from '@prov/role-model';
import { ENTITLEMENTS, entitlementId } from './scale-model';

const now = new Date('2026-11-01T10:00:00.000Z');

type Append = Parameters<PostgresEventStore['appendMany']>[0][number];

export interface SeedOptions {
  assignments: number;
  identities: number;
  /** Earlier changes of each assignment's account (3 events each); 0 gives 4.1 events per assignment. */
  changes: number;
  model: RoleModel;
  /** Assignments per appendMany call (two appends each). */
  perBatch: number;
  /** appendMany calls on their way at a time. */
  inFlight: number;
}

function toEventData(events: readonly { type: string; data: unknown }[]): EventData[] {
  const metadata = { actor: 'bench', correlationId: randomUUID() };
  return events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data, metadata }));
}

function identityId(index: number): string {
  return `identity-${index}`;
}

function registration(index: number): Append {
  const events = identityDecider.decide(
    {
      type: 'RegisterIdentity',
      identityId: identityId(index),
      login: `user${index}`,
      firstName: 'Bench',
      lastName: `User ${index}`,
      email: `user${index}@example.test`,
      department: `dept-${index % 20}`,
      now,
    },
    identityDecider.initialState(),
  );
  return {
    streamName: identityStreamName(identityId(index)),
    events: toEventData(events),
    expectedRevision: 'no_stream',
  };
}

/** The commands of one assignment's life: request, first order, executions, earlier changes. */
function assignmentCommands(
  assignmentId: string,
  identity: RegisteredIdentity,
  entitlement: string,
  options: SeedOptions,
): AssignmentCommand[] {
  const evaluated = options.model.evaluate(identityAttributes(identity), entitlement);
  const base = { assignmentId, now };
  const orderId = (round: number) => `o-${assignmentId}-${round}`;
  const changesOf = (round: number) =>
    round === options.changes
      ? evaluated.changes
      : {
          ...evaluated.changes,
          attributes: { ...evaluated.changes.attributes, department: `dept-before-${round}` },
        };
  const commands: AssignmentCommand[] = [
    { ...base, type: 'RequestAssignment', identityId: identity.identityId, entitlementId: entitlement },
  ];
  for (let round = 0; round <= options.changes; round++) {
    if (round > 0)
      commands.push({
        ...base,
        type: 'VerifyProvisioningOrder',
        orderId: orderId(round - 1),
        actor: 'synchronization',
      });
    commands.push(
      {
        ...base,
        type: 'GenerateProvisioningOrder',
        orderId: orderId(round),
        changeType: round === 0 ? 'Added' : 'Modified',
        connectionId: evaluated.connectionId,
        resourceTypeId: evaluated.resourceTypeId,
        fulfillment: evaluated.fulfillment,
        changes: changesOf(round) as unknown as Record<string, unknown>,
        requiresReview: evaluated.requiresReview,
        roleModelVersion: options.model.hash,
      },
      { ...base, type: 'ReportProvisioningOrderExecuted', orderId: orderId(round), by: 'agent' },
    );
  }
  return commands;
}

/** The appends of one assignment: its hold on the identity, then its own stream. */
export function assignmentAppends(index: number, options: SeedOptions): Append[] {
  const assignmentId = randomUUID();
  const owner = index % options.identities;
  // Each of an identity's assignments is for another entitlement (a second hold on the same
  // entitlement would join the first assignment instead of creating one).
  const entitlement = entitlementId((index + Math.floor(index / options.identities)) % ENTITLEMENTS);
  const registered = foldEvents(
    identityDecider,
    registration(owner).events as unknown as IdentityEvent[],
  ) as RegisteredIdentity;
  const hold = identityDecider.decide(
    {
      type: 'HoldEntitlement',
      identityId: identityId(owner),
      entitlementId: entitlement,
      assignmentId,
      holder: 'request',
      now,
    },
    registered,
  );
  const events: AssignmentEvent[] = [];
  for (const command of assignmentCommands(assignmentId, registered, entitlement, options)) {
    events.push(...assignmentDecider.decide(command, foldEvents(assignmentDecider, events)));
  }
  return [
    { streamName: identityStreamName(identityId(owner)), events: toEventData(hold), expectedRevision: 'any' },
    {
      streamName: assignmentStreamName(assignmentId),
      events: toEventData(events),
      expectedRevision: 'no_stream',
    },
  ];
}

async function appendAll(store: PostgresEventStore, appends: Append[]): Promise<number> {
  const outcomes = await store.appendMany(appends);
  const failed = outcomes.find((o) => !o.ok);
  if (failed && !failed.ok) throw failed.error;
  return appends.reduce((n, a) => n + a.events.length, 0);
}

/**
 * The seed's cluster settings: no flush to disk and checkpoints far apart, for the seed only (a
 * cluster kept in SCALE_DATA_DIR is durable again before anything is measured on it).
 */
export async function withSeedSettings<T>(pool: Pool, seeding: () => Promise<T>): Promise<T> {
  const settings = { fsync: 'off', full_page_writes: 'off', max_wal_size: '16GB', checkpoint_timeout: '1h' };
  for (const [name, value] of Object.entries(settings))
    await pool.query(`ALTER SYSTEM SET ${name} = '${value}'`);
  await pool.query('SELECT pg_reload_conf()');
  try {
    return await seeding();
  } finally {
    for (const name of Object.keys(settings)) await pool.query(`ALTER SYSTEM RESET ${name}`);
    await pool.query('SELECT pg_reload_conf()');
    await pool.query('CHECKPOINT');
  }
}

/** Writes the identities, then the assignments, `perBatch` per appendMany call, `inFlight` calls at a time. */
export async function seed(
  store: PostgresEventStore,
  options: SeedOptions,
  onProgress: (done: number) => void,
): Promise<number> {
  let events = 0;
  const inBatches = async (
    total: number,
    make: (index: number) => Append[],
    progress?: (done: number) => void,
  ) => {
    let next = 0;
    const worker = async () => {
      while (next < total) {
        const from = next;
        next = Math.min(total, next + options.perBatch);
        const to = next;
        const written = await appendAll(
          store,
          Array.from({ length: to - from }, (_, i) => make(from + i)).flat(),
        );
        events += written;
        progress?.(to);
      }
    };
    await Promise.all(Array.from({ length: options.inFlight }, worker));
  };
  await inBatches(options.identities, (i) => [registration(i)]);
  await inBatches(options.assignments, (i) => assignmentAppends(i, options), onProgress);
  return events;
}
