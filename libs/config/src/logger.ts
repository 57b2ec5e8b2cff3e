import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { redactCredentials, redactValue } from './redaction';

const ORDER: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Nest's JSON console logger, with credentials in URLs redacted from every line it writes
 * (messages, objects, stacks), whoever logged them: our code, Nest, or a driver's error.
 */
class RedactingLogger extends ConsoleLogger {
  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
  ): void {
    super.printMessages(
      messages.map((message) => redactValue(message)),
      context,
      logLevel,
      writeStreamType,
      typeof errorStack === 'string' ? redactCredentials(errorStack) : errorStack,
    );
  }
}

/** Structured (one JSON object per line) logs for every service, from LOG_LEVEL upwards. */
export function createServiceLogger(service: string, level: LogLevel = 'log'): ConsoleLogger {
  const upTo = ORDER.indexOf(level);
  return new RedactingLogger(service, {
    json: true,
    colors: false,
    logLevels: ORDER.slice(0, upTo < 0 ? 4 : upTo + 1),
  });
}
