import 'reflect-metadata';
import { runService, startService } from '@prov/platform';

runService('orders', async () => {
  const { OrdersModule } = await import('./orders.module');
  return startService(OrdersModule, 'orders');
});
