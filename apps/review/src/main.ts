import 'reflect-metadata';
import { startService } from '@prov/platform';
import { ReviewModule } from './review.module';

void startService(ReviewModule, 'review').catch((error) => {
  console.error(JSON.stringify({ level: 'fatal', service: 'review', msg: 'start failed', error: String(error) }));
  process.exit(1);
});
