import type { DynamicModule } from '@nestjs/common';
import { type BusSettings, processEnvironment, readBusSettings, readEnvironment } from '@prov/config';
import {
  type BusCredentials,
  commandKeys,
  type CommandKeys,
  jetstreamIdentity,
  MessagingModule,
} from '@prov/messaging';

/** A service's place on the bus: its NATS users and its command keys (ADR 0010). */
export interface ServiceBus {
  settings: BusSettings;
  /** The user of its command client and command responder. */
  credentials: BusCredentials;
  /** The user of its JetStream connection (`orders`: a user of its own; the others: the same). */
  jetstreamCredentials: BusCredentials;
  keys: CommandKeys;
}

const buses = new Map<string, ServiceBus>();

/** Reads (once per process) the bus settings of `service`; throws a ConfigurationError naming what is missing. */
export function serviceBus(service: string, env: NodeJS.ProcessEnv = processEnvironment()): ServiceBus {
  const cached = env === processEnvironment() ? buses.get(service) : undefined;
  if (cached) return cached;
  const settings = readBusSettings(service, env);
  const credentials: BusCredentials = {
    identity: settings.identity,
    nkeySeed: settings.nkeySeed,
    ...(settings.tls ? { tls: settings.tls } : {}),
  };
  const bus: ServiceBus = {
    settings,
    credentials,
    jetstreamCredentials: settings.jetstreamNkeySeed
      ? {
          ...credentials,
          identity: jetstreamIdentity(settings.identity),
          nkeySeed: settings.jetstreamNkeySeed,
        }
      : credentials,
    keys: commandKeys(settings.identity, settings.signingKey, settings.signers),
  };
  if (env === processEnvironment()) buses.set(service, bus);
  return bus;
}

/** The command client of `service`: authenticated as its NATS user, signing as its identity. */
export function serviceMessagingModule(service: string): DynamicModule {
  const environment = readEnvironment();
  const bus = serviceBus(service);
  return MessagingModule.forRoot({
    natsUrl: environment.natsUrl,
    name: service,
    defaultTimeoutMs: environment.commandTimeoutMs,
    credentials: bus.credentials,
    signing: { keys: bus.keys, ttlMs: bus.settings.commandTokenTtlMs },
  });
}
