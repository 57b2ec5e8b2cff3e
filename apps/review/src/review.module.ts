import { Module } from '@nestjs/common';
import { PlatformModule } from '@prov/platform';
import { ReviewHandler } from './review.handler';

/** Provisioning review and manual provisioning decisions. */
@Module({
  imports: [PlatformModule.forRoot({ service: 'review' })],
  controllers: [ReviewHandler],
})
export class ReviewModule {}
