import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { Pool } from 'pg';
import { type ProvisioningStateCode, stateName } from '@prov/domain';
import { readStuckOrderSettings, type StuckOrderSettings } from '@prov/config';
import { DATABASE_POOL, stateOf, type StuckReason, stuckVerdict } from '@prov/platform';
import { LIVE_SCHEMA, type OrderRow, toOrderView } from '@prov/read-models';
import { Roles } from '../auth/roles.decorator';
import { LimitField } from '../http/paging';

export const STUCK_ORDER_SETTINGS = Symbol('STUCK_ORDER_SETTINGS');
export const stuckOrderSettingsProvider = {
  provide: STUCK_ORDER_SETTINGS,
  useFactory: () => readStuckOrderSettings(),
};

const REASONS: readonly StuckReason[] = [
  'waiting-for-review',
  'waiting-for-operator',
  'unreachable-connection',
  'waiting-for-retry',
  'waiting-for-verification',
  'role-model-error',
];

export class StuckOrdersQuery {
  @ApiPropertyOptional({ enum: REASONS, description: 'only orders waiting for this' })
  @IsOptional()
  @IsIn(REASONS, { message: `reason must be one of ${REASONS.join(', ')}` })
  reason?: StuckReason;

  @LimitField(1000, {
    description: 'orders listed (1-1000; default 200), most overdue first; count covers all',
    default: 200,
  })
  limit?: number;
}

/**
 * Open orders that have been in their state longer than its service level (STUCK_AFTER_*), with
 * how long and why. `count` and `byReason` are the figures to alert on (there is no metrics
 * endpoint on this branch).
 */
@ApiTags('orders')
@ApiBearerAuth()
@Controller('orders')
export class StuckOrdersController {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(STUCK_ORDER_SETTINGS) private readonly settings: StuckOrderSettings,
  ) {}

  @Get('stuck')
  @Roles('reviewer', 'operator', 'auditor')
  @ApiOkResponse({
    description:
      '{ count, byReason, serviceLevels, orders: [order + state, reason, why, inStateMs, overdueMs] }',
  })
  async stuck(@Query() query: StuckOrdersQuery) {
    const now = new Date();
    const levels = this.settings.afterMs;
    const codes = Object.keys(levels).map(Number);
    // Only orders whose state began before its level: the index on open orders by state narrows it.
    const { rows } = await this.pool.query<OrderRow>(
      `SELECT o.* FROM ${LIVE_SCHEMA}.orders o
         JOIN unnest($1::int[], $2::bigint[]) AS level(code, ms) ON o.provisioning_state_code = level.code
        WHERE o.is_open AND o.updated_at < $3::timestamptz - level.ms * interval '1 millisecond'`,
      [codes, codes.map((code) => levels[code]), now.toISOString()],
    );
    const stuck = rows
      .map(toOrderView)
      .map((order) => ({ order, verdict: stuckVerdict(order, now, levels) }))
      .filter((entry) => entry.verdict !== undefined)
      .map(({ order, verdict }) => ({ ...order, state: stateOf(order), ...verdict! }));
    const byReason = Object.fromEntries(
      REASONS.map((reason) => [reason, stuck.filter((s) => s.reason === reason).length]),
    );
    const listed = stuck
      .filter((s) => !query.reason || s.reason === query.reason)
      .sort((a, b) => b.overdueMs - a.overdueMs || a.orderId.localeCompare(b.orderId));
    return {
      count: stuck.length,
      byReason,
      serviceLevels: Object.fromEntries(
        codes.map((code) => [stateName(code as ProvisioningStateCode), levels[code]]),
      ),
      orders: listed.slice(0, query.limit ?? 200),
    };
  }
}
