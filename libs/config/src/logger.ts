import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { isSpanContextValid, trace } from '@opentelemetry/api';
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

  protected override getJsonLogObject(
    message: unknown,
    options: Parameters<ConsoleLogger['getJsonLogObject']>[1],
  ): ReturnType<ConsoleLogger['getJsonLogObject']> {
    return { ...super.getJsonLogObject(message, options), ...traceLogFields() };
  }
}

/**
 * `traceId` and `spanId` of the span the code runs in, for a log line: what joins a line to its
 * trace in the tracing backend. Empty when tracing is off or nothing is traced right now.
 */
export function traceLogFields(): { traceId?: string; spanId?: string } {
  const span = trace.getActiveSpan()?.spanContext();
  return span && isSpanContextValid(span) ? { traceId: span.traceId, spanId: span.spanId } : {};
}

/**
 * A line in the loggers' JSON shape for the few places that write before a logger exists or
 * after it is gone (start failures, the last-resort handlers), so every line of every service
 * parses the same way: `{level, pid, timestamp, message: {msg, ...}, context, traceId?, spanId?}`.
 */
export function jsonLogLine(level: LogLevel, context: string, message: Record<string, unknown>): string {
  return JSON.stringify({
    level,
    pid: process.pid,
    timestamp: Date.now(),
    message,
    context,
    ...traceLogFields(),
  });
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
