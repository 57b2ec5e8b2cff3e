import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { commandMetadata } from '@prov/command-handling';
import { findNonConforming, isOrderObserved, type SynchronizedResources } from '@prov/connectors';
import { ProvisioningState, synchronizationStreamName, type SynchronizationEvent } from '@prov/domain';
import type { EventStore } from '@prov/event-store';
import { DATABASE_POOL, EVENT_STORE } from '@prov/platform';
import { ReadModelQueries } from '@prov/read-models';
import { AssignmentCommands } from './assignment-commands';
import type { SynchronizationReportDto } from './reports.dto';

export interface SynchronizationOutcome {
  synchronizationId: string;
  verified: number;
  nonConforming: number;
}

/**
 * Compares what an agent read back with what the orders wrote: executed orders whose change is
 * observed become Verified, and accounts or memberships nobody asked for are recorded as
 * non-conforming on the connection's `sync-<connectionId>` stream.
 */
@Injectable()
export class SynchronizationService {
  private readonly logger = new Logger('Synchronization');
  private readonly queries: ReadModelQueries;

  constructor(
    private readonly assignments: AssignmentCommands,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATABASE_POOL) pool: Pool,
  ) {
    this.queries = new ReadModelQueries(pool);
  }

  async record(report: SynchronizationReportDto): Promise<SynchronizationOutcome> {
    const now = new Date();
    const resources: SynchronizedResources = { accounts: report.accounts, memberships: report.memberships };
    const metadata = commandMetadata({ actor: 'synchronization', correlationId: report.jobId }, now);
    let verified = 0;
    for (const order of await this.queries.ordersInStates([ProvisioningState.Executed], {
      connectionId: report.connectionId,
    })) {
      if (!order.changeType) continue;
      const observed = isOrderObserved(
        { changeType: order.changeType as 'Added' | 'Modified' | 'Deleted', changes: order.changes as never },
        resources,
      );
      if (!observed) continue;
      const outcome = await this.assignments.execute(
        order.assignmentId,
        (state) => {
          const current = state.exists ? state.orders[order.orderId] : undefined;
          if (current?.stateCode !== ProvisioningState.Executed) return undefined;
          return {
            type: 'VerifyProvisioningOrder',
            assignmentId: order.assignmentId,
            orderId: order.orderId,
            now,
            actor: 'synchronization',
          };
        },
        metadata,
      );
      verified += outcome.events.length > 0 ? 1 : 0;
    }
    const expected = (await this.queries.expectedResources(report.connectionId)).map((order) => {
      const changes = order.changes as { accountKey: string; group?: string };
      return { accountKey: changes.accountKey, group: changes.group };
    });
    const drift = findNonConforming(resources, expected);
    const synchronizationId = report.synchronizationId ?? randomUUID();
    const at = now.toISOString();
    const base = { connectionId: report.connectionId, synchronizationId, at };
    const events: SynchronizationEvent[] = [
      ...drift.accounts.map((a) => ({
        type: 'NonConformingResourceFound' as const,
        data: { ...base, kind: 'account' as const, accountKey: a.accountKey },
      })),
      ...drift.memberships.map((m) => ({
        type: 'NonConformingResourceFound' as const,
        data: { ...base, kind: 'membership' as const, accountKey: m.accountKey, group: m.group },
      })),
      {
        type: 'SynchronizationCompleted',
        data: {
          ...base,
          accounts: report.accounts.length,
          memberships: report.memberships.length,
          verifiedOrders: verified,
          nonConforming: drift.accounts.length + drift.memberships.length,
          ...(report.jobId ? { jobId: report.jobId } : {}),
        },
      },
    ];
    await this.store.appendToStream(
      synchronizationStreamName(report.connectionId),
      events.map((event) => ({ id: randomUUID(), type: event.type, data: event.data, metadata })),
    );
    this.logger.log({
      msg: 'synchronization recorded',
      connectionId: report.connectionId,
      verified,
      nonConforming: events.length - 1,
    });
    return { synchronizationId, verified, nonConforming: events.length - 1 };
  }
}
