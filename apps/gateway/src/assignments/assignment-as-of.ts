import { Inject, Injectable } from '@nestjs/common';
import { type EventStore, type RecordedEvent, StreamNotFoundError } from '@prov/event-store';
import { DATABASE_POOL, EVENT_STORE } from '@prov/platform';
import {
  assignmentAsOf,
  type AssignmentView,
  decodeCursor,
  encodeCursor,
  holdersAsOf,
  type Page,
  type Permission,
  permissionsAsOf,
  LIVE_SCHEMA,
  toAssignmentView,
} from '@prov/read-models';
import { Pool } from 'pg';

/** How many assignment streams are read at once (a bounded fan-out against the event store). */
const STREAM_READS_IN_FLIGHT = 16;

/**
 * The read models as of an instant. Only the streams involved are read: the identity's, and
 * those of the assignments the read model lists for the identity or entitlement (an assignment
 * never changes identity or entitlement, so the live list is a superset of the past one; the
 * ones requested after the instant fold to nothing). Folding is the pure `@prov/read-models`
 * as-of code, with the projections' own `evolve`.
 */
@Injectable()
export class AssignmentAsOf {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATABASE_POOL) private readonly pool: Pool,
  ) {}

  async at(assignmentId: string, instant: Date): Promise<AssignmentView | undefined | 'not-yet'> {
    const events = await this.stream(`assignment-${assignmentId}`);
    if (events.length === 0) return undefined;
    const folded = assignmentAsOf(events, instant);
    return folded ? toAssignmentView(folded.state, folded.revision.toString()) : 'not-yet';
  }

  /** The identity's permissions then; undefined when it was not registered by then (or never). */
  async permissions(identityId: string, instant: Date): Promise<Permission[] | undefined> {
    const identityEvents = await this.stream(`identity-${identityId}`);
    if (identityEvents.length === 0) return undefined;
    const { rows } = await this.pool.query<{ assignment_id: string }>(
      `SELECT assignment_id FROM ${LIVE_SCHEMA}.assignments WHERE identity_id = $1`,
      [identityId],
    );
    const streams = await this.streams(rows.map((row) => row.assignment_id));
    return permissionsAsOf(identityEvents, streams, instant);
  }

  /**
   * Who held the entitlement then, by assignment id, a page at a time. Candidates are read in
   * batches until the page is full, so a page is short only at the end of the list.
   */
  async holders(
    entitlementId: string,
    instant: Date,
    limit: number,
    cursor?: string,
  ): Promise<Page<AssignmentView>> {
    let after = cursor ? decodeCursor('holders', cursor, 1)[0] : '';
    const items: AssignmentView[] = [];
    for (;;) {
      const { rows } = await this.pool.query<{ assignment_id: string }>(
        `SELECT assignment_id FROM ${LIVE_SCHEMA}.assignments WHERE entitlement_id = $1 AND assignment_id > $2
          ORDER BY assignment_id LIMIT $3`,
        [entitlementId, after, limit],
      );
      for (let i = 0; i < rows.length && items.length < limit; i += STREAM_READS_IN_FLIGHT) {
        const batch = rows.slice(i, i + STREAM_READS_IN_FLIGHT);
        const streams = await Promise.all(batch.map((row) => this.stream(`assignment-${row.assignment_id}`)));
        streams.forEach((events, index) => {
          if (items.length >= limit) return;
          after = batch[index].assignment_id;
          items.push(...holdersAsOf([events], instant));
        });
      }
      if (items.length >= limit) return { items, next: encodeCursor('holders', [after]) };
      if (rows.length < limit) return { items, next: null };
    }
  }

  private async streams(assignmentIds: string[]): Promise<RecordedEvent[][]> {
    const all: RecordedEvent[][] = [];
    for (let i = 0; i < assignmentIds.length; i += STREAM_READS_IN_FLIGHT) {
      const batch = assignmentIds.slice(i, i + STREAM_READS_IN_FLIGHT);
      all.push(...(await Promise.all(batch.map((id) => this.stream(`assignment-${id}`)))));
    }
    return all;
  }

  private async stream(name: string): Promise<RecordedEvent[]> {
    try {
      return await this.store.readStream(name);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }
}
