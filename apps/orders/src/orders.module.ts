import { Module } from '@nestjs/common';
import { NatsConnectionProvider, PlatformModule, serviceMessagingModule } from '@prov/platform';
import { AccountOwnership } from './account-ownership';
import { AssignmentCommands } from './assignment-commands';
import { BirthrightEvaluation } from './birthright-evaluation';
import { CompleteJobSchedule } from './complete-job.schedule';
import { ChainCheck } from './chain-check';
import { CompleteJobService } from './complete-job.service';
import { DispatchReaction } from './dispatch.reaction';
import { JobFulfilment } from './job-fulfilment';
import { JobsHandler } from './jobs.handler';
import { MoverReaction } from './mover.reaction';
import { OrderDispatcher } from './order-dispatcher';
import { OrderGenerationReaction } from './order-generation.reaction';
import { OrderMaintenance } from './order-maintenance';
import { ReactionsLifecycle } from './reactions.lifecycle';
import { ReportsHandler } from './reports.handler';
import { SynchronizationService } from './synchronization.service';
import { timerSettingsProvider } from './timers/timer-settings';
import { TimersService } from './timers/timers.service';

/** Role-model evaluation, order generation and dispatch, agent feedback, verification, the complete job. */
@Module({
  imports: [PlatformModule.forRoot({ service: 'orders' }), serviceMessagingModule('orders')],
  controllers: [ReportsHandler, JobsHandler],
  providers: [
    timerSettingsProvider,
    NatsConnectionProvider,
    AssignmentCommands,
    AccountOwnership,
    OrderDispatcher,
    OrderGenerationReaction,
    DispatchReaction,
    MoverReaction,
    SynchronizationService,
    OrderMaintenance,
    BirthrightEvaluation,
    JobFulfilment,
    ChainCheck,
    CompleteJobService,
    CompleteJobSchedule,
    ReactionsLifecycle,
    TimersService,
  ],
})
export class OrdersModule {}
