import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import {
  addToSummary,
  DATABASE_POOL,
  emptySummary,
  type PreviewOrder,
  previewSubject,
  ROLE_MODEL,
  type RoleModelPreview,
} from '@prov/platform';
import { identitiesWithAssignments } from '@prov/read-models';
import type { RoleModel } from '@prov/role-model';

export interface PreviewAnswer {
  currentVersion: string;
  candidateVersion: string;
  summary: RoleModelPreview;
  /** How many orders in all. */
  total: number;
  /** The orders from `offset`, at most `limit`, in identity order. */
  orders: PreviewOrder[];
}

/**
 * Runs the pure preview over today's read models, a page of identities at a time. Reads only:
 * no command is sent and nothing is written, whatever the candidate says.
 */
@Injectable()
export class RoleModelPreviewService {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(ROLE_MODEL) private readonly current: RoleModel,
  ) {}

  /** Only the page asked for is kept; the rest is counted, so memory does not grow with the directory. */
  async preview(
    candidate: RoleModel,
    page: { offset: number; limit: number },
    now = new Date(),
  ): Promise<PreviewAnswer> {
    const models = { current: this.current, candidate, now };
    const summary = emptySummary();
    const orders: PreviewOrder[] = [];
    let total = 0;
    for await (const batch of identitiesWithAssignments(this.pool)) {
      for (const subject of batch) {
        const own = previewSubject(models, subject);
        addToSummary(summary, subject, own);
        for (const order of own) {
          if (total >= page.offset && total < page.offset + page.limit) orders.push(order);
          total++;
        }
      }
    }
    return {
      currentVersion: this.current.version,
      candidateVersion: candidate.version,
      summary,
      total,
      orders,
    };
  }
}
