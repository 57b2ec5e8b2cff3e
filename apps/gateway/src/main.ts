import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { createServiceLogger, readEnvironment } from '@prov/config';
import { announceReady, exitAfterGracePeriod, runService } from '@prov/platform';
import { HttpErrorsFilter } from './http/http-errors.filter';
import { httpValidationPipe } from './http/validation';
import { serveConsole } from './web/console-static';

async function bootstrap(): Promise<void> {
  const environment = readEnvironment();
  const logger = createServiceLogger('gateway', environment.logLevel);
  const { GatewayModule } = await import('./gateway.module');
  const app = await NestFactory.create(GatewayModule, { logger });
  app.setGlobalPrefix('api');
  app.useGlobalPipes(httpValidationPipe());
  app.useGlobalFilters(new HttpErrorsFilter());
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Provisioning engine API')
      .setDescription('Assignments, provisioning orders, review, manual fulfilment, jobs and audit.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/json' });
  serveConsole(app, logger);
  await app.listen(environment.port, '127.0.0.1');
  exitAfterGracePeriod('gateway');
  announceReady('gateway', { url: `http://127.0.0.1:${environment.port}/api`, docs: '/api/docs', console: `http://127.0.0.1:${environment.port}/` });
}

runService('gateway', bootstrap);
