import 'reflect-metadata';
import { Controller, Get, type INestApplication, Module, Post } from '@nestjs/common';
import { APP_GUARD, NestFactory, Reflector } from '@nestjs/core';
import { readHardeningSettings } from '@prov/config';
import { HttpErrorsFilter } from '../http/http-errors.filter';
import { EdgeThrottlerGuard, SignIn, throttlerModule } from './rate-limits';

@Controller()
class ProbeController {
  @Post('a')
  writeA() {
    return { ok: true };
  }

  @Post('b')
  writeB() {
    return { ok: true };
  }

  @Get('a')
  read() {
    return { ok: true };
  }

  @Get('session')
  @SignIn()
  session() {
    return { ok: true };
  }
}

@Module({
  imports: [throttlerModule({ ...readHardeningSettings({}), rateLimitWrites: 3, rateLimitSignIn: 2 })],
  controllers: [ProbeController],
  providers: [{ provide: APP_GUARD, useClass: EdgeThrottlerGuard }],
})
class ProbeModule {}

describe('rate limits', () => {
  let app: INestApplication;
  let base: string;
  const call = (method: string, path: string, token?: string) =>
    fetch(`${base}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    app = await NestFactory.create(ProbeModule, { logger: false });
    app.useGlobalFilters(new HttpErrorsFilter());
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(() => app?.close());

  it('counts writes per token across routes, not reads, and answers 429 with Retry-After', async () => {
    const statuses = [];
    for (const path of ['/a', '/b', '/a']) statuses.push((await call('POST', path, 'token-one')).status);
    const refused = await call('POST', '/b', 'token-one');
    expect(statuses).toEqual([201, 201, 201]);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ statusCode: 429, code: 'TooManyRequests' });
    expect((await call('GET', '/a', 'token-one')).status).toBe(200);
    expect((await call('POST', '/a', 'token-two')).status).toBe(201);
  });

  it('limits sign-in per address whatever the token', async () => {
    expect((await call('GET', '/session', 'guess-1')).status).toBe(200);
    expect((await call('GET', '/session', 'guess-2')).status).toBe(200);
    expect((await call('GET', '/session', 'guess-3')).status).toBe(429);
  });

  it('reads the metadata of a route once, not on every request', async () => {
    const lookups = jest.spyOn(Reflector.prototype, 'getAllAndOverride');
    for (let i = 0; i < 3; i++) await call('GET', '/a', 'token-three');
    for (let i = 0; i < 3; i++) await call('POST', '/a', 'token-four');
    // At most once for each of the two handlers (fewer when an earlier test read them already).
    expect(lookups.mock.calls.length).toBeLessThanOrEqual(2);
    lookups.mockRestore();
  });
});
