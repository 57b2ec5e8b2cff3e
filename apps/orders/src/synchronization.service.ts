import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { commandMetadata, type EventMetadata } from '@prov/command-handling';
import { type DriftFinding, isOrderObserved, restorePlans } from '@prov/connectors';
import {
  ProvisioningState,
  synchronizationStreamName,
  type SynchronizationEvent,
  type SynchronizationOutcome,
} from '@prov/domain';
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
import { type HeldClaim, SynchronizationClaims } from './synchronization-claims';

export type { SynchronizationOutcome } from '@prov/domain';

/** Executed orders verified at a time: each reads and appends to its assignment's stream. */
const VERIFICATIONS_IN_FLIGHT = 8;
/** Executed orders compared with the read-back at a time (the resources of their accounts only). */
const VERIFICATION_SLICE = 500;

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
  private readonly claims: SynchronizationClaims;

  constructor(
    private readonly assignments: AssignmentCommands,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(DATABASE_POOL) pool: Pool,
    @Inject(ROLE_MODEL) private readonly roleModel: RoleModel,
  ) {
    this.queries = new ReadModelQueries(pool);
    this.pages = new ReadBackPagesStore(pool);
    this.restore = new DriftRestore(assignments);
    this.claims = new SynchronizationClaims(store, pool);
  }

  /** Keeps one page of a read-back too large for one message until its report comes (ADR 0025). */
  async recordPage(page: SynchronizationPageDto): Promise<{ stored: true }> {
    await this.pages.put(page.connectionId, page.synchronizationId, page.page, {
      accounts: page.accounts,
      memberships: page.memberships,
    });
    return { stored: true };
  }

  /**
   * Records a report once, whichever replica gets it and however often (ADR 0074): a delivery of
   * a report recorded before, or being recorded by another replica, answers the first recording's
   * outcome and writes nothing. `synchronizationId` is required (the DTO refuses a report
   * without one, naming the field): agents and the manual import have always sent it.
   */
  async record(delivered: SynchronizationReportDto): Promise<SynchronizationOutcome> {
    // The DTO accepts a UUID in either case, and the claim's stream name and lock key would tell
    // the two apart: the same report would be recorded twice. Lower-cased here, not by a
    // @Transform, which would take the DTO (and its pages) off the compiled validation (ADR 0072).
    const report = { ...delivered, synchronizationId: delivered.synchronizationId.toLowerCase() };
    for (;;) {
      const taken = await this.claims.take(
        report.synchronizationId,
        report.connectionId,
        metadataOf(report, new Date()),
      );
      if ('recorded' in taken) {
        // A repeat may have brought its pages again: they go, as the first recording's did.
        if (report.pages !== undefined) await this.pages.remove(report.synchronizationId);
        return taken.recorded;
      }
      const outcome = await this.recordClaimed(report, taken.claim);
      // Undefined: another replica took the claim over meanwhile (this one's lock was lost); its
      // outcome is the answer.
      if (outcome) return outcome;
    }
  }

  /** The recording of a claimed report; a failure gives the claim up for the next delivery. */
  private async recordClaimed(
    report: SynchronizationReportDto,
    claim: HeldClaim,
  ): Promise<SynchronizationOutcome | undefined> {
    const now = new Date();
    const metadata = metadataOf(report, now);
    try {
      return await this.compareAndRecord(report, claim, now, metadata);
    } catch (error) {
      await claim.abandon(error instanceof Error ? error.name : 'Error', metadata);
      throw error;
    } finally {
      await claim.release();
    }
  }

  private async compareAndRecord(
    report: SynchronizationReportDto,
    claim: HeldClaim,
    now: Date,
    metadata: EventMetadata,
  ): Promise<SynchronizationOutcome | undefined> {
    const { synchronizationId } = report;
    // A read-back in pages stays in PostgreSQL and is compared a slice at a time (ADR 0063).
    const readBack: ReadBackView =
      report.pages === undefined
        ? readBackInMemory({ accounts: report.accounts, memberships: report.memberships })
        : await this.pages.stage(report.connectionId, synchronizationId, report.pages);
    const verifiedNow = await this.verifyExecuted(report.connectionId, readBack, metadata, now);
    const drift = await findDriftBySlices(
      readBack,
      this.queries.expectedResources(report.connectionId),
      verifiedNow,
    );

    // Findings from a read-back gone mid-way would be drift that is not there: neither restored
    // nor recorded. The pages stay until the events are appended; only then are they removed.
    const restored = await readBack.whileStaged(() =>
      this.recordFindings(report, claim, { now, metadata, drift, verifiedNow, readBack }),
    );
    if (!restored) return undefined;
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
    return outcomeOf(synchronizationId, verifiedNow, drift, restored);
  }

  /**
   * Restore orders (onDrift: restore), then the findings, the completion and the claim's outcome,
   * in one append. Undefined when the claim was taken over: nothing was appended.
   */
  private async recordFindings(
    report: SynchronizationReportDto,
    claim: HeldClaim,
    found: {
      now: Date;
      metadata: EventMetadata;
      drift: DriftFinding[];
      verifiedNow: Set<string>;
      readBack: ReadBackView;
    },
  ): Promise<RestoreRequested[] | undefined> {
    const { synchronizationId } = report;
    const { now, metadata, drift, verifiedNow, readBack } = found;
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
    const recorded = await claim.complete(
      {
        streamName: synchronizationStreamName(report.connectionId),
        events: events.map((event) => ({ id: randomUUID(), type: event.type, data: event.data, metadata })),
      },
      outcomeOf(synchronizationId, verifiedNow, drift, restored),
      metadata,
    );
    return recorded ? restored : undefined;
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

function metadataOf(report: SynchronizationReportDto, now: Date): EventMetadata {
  return commandMetadata(
    { actor: 'synchronization', correlationId: report.jobId ?? report.synchronizationId },
    now,
  );
}

function outcomeOf(
  synchronizationId: string,
  verifiedNow: ReadonlySet<string>,
  drift: readonly DriftFinding[],
  restored: readonly RestoreRequested[],
): SynchronizationOutcome {
  return {
    synchronizationId,
    verified: verifiedNow.size,
    nonConforming: drift.length,
    restoreOrders: restored.length,
  };
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
