import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import {
  accountEffects,
  DATABASE_POOL,
  type PreviewOrder,
  previewSubject,
  ROLE_MODEL,
  type RoleModelPreview,
  summarizePreview,
} from '@prov/platform';
import { identitiesWithAssignments } from '@prov/read-models';
import type { RoleModel } from '@prov/role-model';

export interface PreviewAnswer {
  currentVersion: string;
  candidateVersion: string;
  summary: RoleModelPreview;
  /** Every order, in identity order; the controller pages it. */
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

  async preview(candidate: RoleModel, now = new Date()): Promise<PreviewAnswer> {
    const models = { current: this.current, candidate, now };
    const orders: PreviewOrder[] = [];
    const effects = [];
    let identities = 0;
    let assignments = 0;
    for await (const page of identitiesWithAssignments(this.pool)) {
      for (const subject of page) {
        identities++;
        assignments += subject.assignments.length;
        const own = previewSubject(models, subject);
        orders.push(...own);
        effects.push(...accountEffects(subject, own));
      }
    }
    return {
      currentVersion: this.current.version,
      candidateVersion: candidate.version,
      summary: summarizePreview(identities, assignments, orders, effects),
      orders,
    };
  }
}
