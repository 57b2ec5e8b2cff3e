import 'reflect-metadata';
import { startService } from '@prov/platform';
import { OrdersModule } from './orders.module';

void startService(OrdersModule, 'orders').catch((error) => {
  console.error(JSON.stringify({ level: 'fatal', service: 'orders', msg: 'start failed', error: String(error) }));
  process.exit(1);
});
