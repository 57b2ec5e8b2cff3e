import { Module } from '@nestjs/common';
import { PlatformModule } from '@prov/platform';
import { ProjectorLifecycle } from './projector.lifecycle';

/** Read models and their rebuild. */
@Module({
  imports: [PlatformModule.forRoot({ service: 'projector' })],
  providers: [ProjectorLifecycle],
})
export class ProjectorModule {}
