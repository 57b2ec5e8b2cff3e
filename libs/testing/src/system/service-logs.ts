import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceInstance } from './services';

const LOG_TAIL_LINES = 40;

/** Whether an error message already carries the instance's log tail (see `tail` below). */
export function hasTail(message: string, name: string): boolean {
  return message.includes(` of ${name} ---`) || message.includes(`--- ${name} has logged nothing`);
}

/** The log files of a system's instances (`<logDir>/<instance>.log`, every run of the instance appended). */
export class ServiceLogs {
  constructor(private readonly logDir: string) {}

  private file(name: ServiceInstance): string {
    return join(this.logDir, `${name}.log`);
  }

  logs = (name: ServiceInstance): string => {
    const file = this.file(name);
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  };

  tail = (name: ServiceInstance): string => {
    const text = this.logs(name).trimEnd();
    if (!text) return `--- ${name} has logged nothing ---`;
    const lines = text.split('\n');
    return `--- last ${Math.min(lines.length, LOG_TAIL_LINES)} lines of ${name} ---\n${lines.slice(-LOG_TAIL_LINES).join('\n')}`;
  };

  // Offsets are in bytes (the file's size when an instance was started), so slice bytes.
  since = (name: ServiceInstance, offset: number): string => {
    const file = this.file(name);
    return existsSync(file) ? readFileSync(file).subarray(offset).toString('utf8') : '';
  };

  size = (name: ServiceInstance): number => {
    const file = this.file(name);
    return existsSync(file) ? statSync(file).size : 0;
  };
}
