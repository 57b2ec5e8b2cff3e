import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IsIn, IsOptional } from 'class-validator';
import { commandSubject } from '@prov/messaging';
import { CommandCallerDto } from '@prov/contracts';
import { CompleteJobService } from './complete-job.service';

export class StartCompleteJobDto extends CommandCallerDto {
  @IsOptional()
  @IsIn(['api', 'schedule'])
  trigger?: 'api' | 'schedule';
}

@Controller()
export class JobsHandler {
  constructor(private readonly completeJob: CompleteJobService) {}

  /** Starts the complete job and answers with its id at once; progress is on `job-<jobId>`. */
  @MessagePattern(commandSubject('orders', 'start-complete-job'))
  start(@Payload() dto: StartCompleteJobDto): Promise<{ jobId: string }> {
    return this.completeJob.start(dto.actor, dto.trigger ?? 'api');
  }
}
