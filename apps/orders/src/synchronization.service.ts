import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { commandMetadata, type EventMetadata } from '@prov/command-handling';
import { type DriftFinding, isOrderObserved, restorePlans } from '@prov/connectors';
import { ProvisioningState, synchronizationStreamName, type SynchronizationEvent } from '@prov/domain';
import type { EventStore } from '@prov/event-store';
import { DATABASE_POOL, EVENT_STORE, ROLE_MODEL } from '@prov/platform';
import { ReadModelQueries } from '@prov/read-models';
import type { RoleModel } from '@prov/role-model';
import { AssignmentCommands } from './assignment-commands';
import { forEachInFlight, runsOf } from './complete-job.in-flight';
import { verifyIfExecuted } from './decisions/order-progress.decisions';
import { findDriftBySlices } from './drift-by-slices';
import { DriftRestore, type RestoreRequested } from './drift-restore';
import type { SynchronizationPageDto, SynchronizationReportDto } from './reports.dto';
import { ReadBackPagesStore } from './read-back-pages.store';
import { readBackInMemory, type ReadBackView } from './read-back-view';

/** Executed orders verified at a time: each reads and appends to its assignment's stream. */
const VERIFICATIONS_IN_FLIGHT = 8;
/** Executed orders compared with the read-back at a time (the resources of their accounts only). */
const VERIFICATION_SLICE = 500;

export interface SynchronizationOutcome {
  synchronizationId: string;
  verified: number;
  nonConforming: number;
  restoreOrders: number;
}

/**
 * Compares what an agent read back with what the orders wrote: executed orders whose change is
 * observed become Verified, and drift is recorded on the connection's `sync-<connectionId>`
 * stream, both ways: accounts or memberships nobody asked for (unexpected), and accounts,
 * memberships or values of verified orders that were removed or changed by hand (missing,
 * differing). With `onDrift: restore` the connection also gets orders putting them back.
 */
@Injectable()
export class SynchronizationService {
  private readonly logger = new Logger('Synchronization');
  private readonly queries: ReadModelQueries;
  private readonly restore: DriftRestore;
  private readonly pages: ReadBackPagesStore;

  constructor(
    private readonly assignments: AssignmentCommands,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATABASE_POOL) pool: Pool,
    @Inject(ROLE_MODEL) private readonly roleModel: RoleModel,
  ) {
    this.queries = new ReadModelQueries(pool);
    this.pages = new ReadBackPagesStore(pool);
    this.restore = new DriftRestore(assignments);
  }

  /** Keeps one page of a read-back too large for one message until its report comes (ADR 0025). */
  async recordPage(page: SynchronizationPageDto): Promise<{ stored: true }> {
    await this.pages.put(page.connectionId, page.synchronizationId, page.page, {
      accounts: page.accounts,
      memberships: page.memberships,
    });
    return { stored: true };
  }

  async record(report: SynchronizationReportDto): Promise<SynchronizationOutcome> {
    const now = new Date();
    // A read-back in pages stays in PostgreSQL and is compared a slice at a time (ADR 0063).
    const readBack: ReadBackView =
      report.pages === undefined
        ? readBackInMemory({ accounts: report.accounts, memberships: report.memberships })
        : await this.pages.stage(report.connectionId, report.synchronizationId, report.pages);
    const synchronizationId = report.synchronizationId ?? randomUUID();
    const metadata = commandMetadata(
      { actor: 'synchronization', correlationId: report.jobId ?? synchronizationId },
      now,
    );
    const verifiedNow = await this.verifyExecuted(report.connectionId, readBack, metadata, now);
    const drift = await findDriftBySlices(
      readBack,
      this.queries.expectedResources(report.connectionId),
      verifiedNow,
    );

    // Findings from a read-back gone mid-way would be drift that is not there: neither restored
    // nor recorded. The pages stay until the events are appended; only then are they removed.
    const restored = await readBack.whileStaged(() =>
      this.recordFindings(report, { synchronizationId, now, metadata, drift, verifiedNow, readBack }),
    );
    if (report.pages !== undefined) await this.pages.remove(synchronizationId);
    const count = (kind: DriftFinding['drift']) => drift.filter((f) => f.drift === kind).length;
    this.logger.log({
      msg: 'synchronization recorded',
      connectionId: report.connectionId,
      verified: verifiedNow.size,
      unexpected: count('unexpected'),
      missing: count('missing'),
      differing: count('differing'),
      restoreOrders: restored.length,
    });
    return {
      synchronizationId,
      verified: verifiedNow.size,
      nonConforming: drift.length,
      restoreOrders: restored.length,
    };
  }

  /** Restore orders (onDrift: restore), then the findings and the completion, in one append. */
  private async recordFindings(
    report: SynchronizationReportDto,
    found: {
      synchronizationId: string;
      now: Date;
      metadata: EventMetadata;
      drift: DriftFinding[];
      verifiedNow: Set<string>;
      readBack: ReadBackView;
    },
  ): Promise<RestoreRequested[]> {
    const { synchronizationId, now, metadata, drift, verifiedNow, readBack } = found;
    const at = now.toISOString();
    const base = { connectionId: report.connectionId, synchronizationId, at };
    const onDrift = this.roleModel.connection(report.connectionId)?.onDrift ?? 'report';
    const restored =
      onDrift === 'restore'
        ? await this.restore.generate(restorePlans(drift), { ...base, now, metadata })
        : [];
    const events: SynchronizationEvent[] = [
      ...drift.map((finding) => ({
        type: 'NonConformingResourceFound' as const,
        data: { ...base, ...findingData(finding) },
      })),
      ...restored.map((data) => ({ type: 'DriftRestoreRequested' as const, data: { ...base, ...data } })),
      {
        type: 'SynchronizationCompleted',
        data: {
          ...base,
          accounts: readBack.accounts,
          memberships: readBack.memberships,
          verifiedOrders: verifiedNow.size,
          nonConforming: drift.length,
          restoreOrders: restored.length,
          ...(report.jobId ? { jobId: report.jobId } : {}),
        },
      },
    ];
    await this.store.appendToStream(
      synchronizationStreamName(report.connectionId),
      events.map((event) => ({ id: randomUUID(), type: event.type, data: event.data, metadata })),
    );
    return restored;
  }

  /**
   * Executed orders whose change the target shows become Verified; returns their ids. A slice
   * of orders at a time, each slice with the read-back's resources of its accounts only.
   */
  private async verifyExecuted(
    connectionId: string,
    readBack: ReadBackView,
    metadata: EventMetadata,
    now: Date,
  ): Promise<Set<string>> {
    const verified = new Set<string>();
    const executed = this.queries.ordersInStates([ProvisioningState.Executed], { connectionId });
    for await (const slice of runsOf(executed, () => '', VERIFICATION_SLICE)) {
      const orders = slice.items.filter((order) => order.changeType);
      const accountKeys = new Set(
        orders.map((order) => (order.changes as { accountKey: string }).accountKey),
      );
      const resources = await readBack.resourcesOf([...accountKeys]);
      // Each verification is a command on its own assignment's stream: a few at a time (ADR 0048).
      await forEachInFlight(orders, VERIFICATIONS_IN_FLIGHT, async (order) => {
        const observed = isOrderObserved(
          {
            changeType: order.changeType as 'Added' | 'Modified' | 'Deleted',
            changes: order.changes as never,
          },
          resources,
        );
        if (!observed) return;
        const outcome = await this.assignments.execute(
          order.assignmentId,
          verifyIfExecuted(order.assignmentId, order.orderId, now),
          metadata,
        );
        if (outcome.events.length > 0) verified.add(order.orderId);
      });
    }
    return verified;
  }
}

/** A finding as the event records it: names and keys, never attribute values. */
function findingData(finding: DriftFinding) {
  return {
    kind: finding.kind,
    accountKey: finding.accountKey,
    drift: finding.drift,
    ...('group' in finding ? { group: finding.group } : {}),
    ...('attribute' in finding ? { attribute: finding.attribute } : {}),
    ...('owners' in finding ? { assignmentIds: finding.owners.map((o) => o.assignmentId) } : {}),
  };
}
