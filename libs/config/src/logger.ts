import { ConsoleLogger, LogLevel } from '@nestjs/common';

const ORDER: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Structured (one JSON object per line) logs for every service, from LOG_LEVEL upwards. */
export function createServiceLogger(service: string, level: LogLevel = 'log'): ConsoleLogger {
  const upTo = ORDER.indexOf(level);
  return new ConsoleLogger(service, {
    json: true,
    colors: false,
    logLevels: ORDER.slice(0, upTo < 0 ? 4 : upTo + 1),
  });
}
