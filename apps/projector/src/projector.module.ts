import { Module } from '@nestjs/common';
import { PlatformModule } from '@prov/platform';
import { ProjectorLifecycle } from './projector.lifecycle';
import { ReplayHandler } from './replay.handler';

/** Read models and their rebuild (audit replay). */
@Module({
  imports: [PlatformModule.forRoot({ service: 'projector' })],
  controllers: [ReplayHandler],
  providers: [ProjectorLifecycle],
})
export class ProjectorModule {}
