import 'reflect-metadata';
import { runService, startService } from '@prov/platform';

runService('review', async () => {
  const { ReviewModule } = await import('./review.module');
  return startService(ReviewModule, 'review');
});
