import { Module } from '@nestjs/common';
import { PlatformModule } from '@prov/platform';
import { AssignmentsHandler } from './assignments.handler';
import { IdentitiesHandler } from './identities.handler';
import { BirthrightSweep } from './lifecycle/birthright-sweep';
import { EntitlementHoldings } from './lifecycle/entitlement-holdings';
import { HoldingsBackfill } from './lifecycle/holdings-backfill';
import { IdentityLifecycleReaction } from './lifecycle/identity-lifecycle.reaction';
import { LifecycleReactions } from './lifecycle/lifecycle-reactions';
import { LoginReservations } from './lifecycle/login-reservations';
import { ScheduledDeactivations } from './lifecycle/scheduled-deactivations';
import { SettleIdentitiesHandler } from './lifecycle/settle-identities.handler';

/** Identities (joiner, mover, leaver, birthright rules) and assignment requests / revocations. */
@Module({
  imports: [PlatformModule.forRoot({ service: 'requests' })],
  controllers: [IdentitiesHandler, AssignmentsHandler, SettleIdentitiesHandler],
  providers: [
    EntitlementHoldings,
    LoginReservations,
    IdentityLifecycleReaction,
    LifecycleReactions,
    BirthrightSweep,
    ScheduledDeactivations,
    HoldingsBackfill,
  ],
})
export class RequestsModule {}
