import { Module } from '@nestjs/common';
import { PlatformModule } from '@prov/platform';
import { AssignmentsHandler } from './assignments.handler';
import { IdentitiesHandler } from './identities.handler';

/** Identities and assignment requests / revocations. */
@Module({
  imports: [PlatformModule.forRoot({ service: 'requests' })],
  controllers: [IdentitiesHandler, AssignmentsHandler],
})
export class RequestsModule {}
