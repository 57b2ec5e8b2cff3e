import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { API_PREFIX_EXCLUDE, openApiConfig } from '../../apps/gateway/src/gateway-app';
import { AuthModule } from '../../apps/gateway/src/auth/auth.module';
import { GATEWAY_CONTROLLERS } from '../../apps/gateway/src/gateway-controllers';
import { WebModule } from '../../apps/gateway/src/web/web.module';

type Controller = new (...args: never[]) => unknown;
const controllersOf = (module: object): Controller[] => Reflect.getMetadata('controllers', module) ?? [];

/**
 * The gateway's OpenAPI document, built from its controllers' decorators without a server: the
 * controllers are compiled in a testing module whose every dependency is an empty stand-in (no
 * NATS, no PostgreSQL), and the app is never started. Same header and prefix as the real gateway.
 */
export async function buildOpenApiDocument(): Promise<OpenAPIObject> {
  const controllers = [...GATEWAY_CONTROLLERS, ...controllersOf(AuthModule), ...controllersOf(WebModule)];
  const moduleRef = await Test.createTestingModule({ controllers })
    .useMocker(() => ({}))
    .compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.setGlobalPrefix('api', { exclude: API_PREFIX_EXCLUDE });
  try {
    return SwaggerModule.createDocument(app, openApiConfig());
  } finally {
    await app.close();
  }
}
