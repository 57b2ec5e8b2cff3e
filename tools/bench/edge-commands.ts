/**
 * How many `request-assignment` commands the gateway sent for the bench's single requests: its
 * coalescing (ADR 0053) sends the requests that wait for a round in flight as one batch command,
 * so the count depends on how fast they arrive. Read from the gateway's own histogram
 * (`prov_gateway_requests_per_command`) on its metrics port, before and after a phase.
 */

const HISTOGRAM = 'prov_gateway_requests_per_command';

export interface EdgeCommands {
  /** Single requests the commands carried. */
  requests: number;
  commands: number;
}

/** The histogram's sum and count for one command, from a Prometheus text exposition. */
export function edgeCommandsOf(metrics: string, command = 'request-assignment'): EdgeCommands {
  const value = (series: string) => {
    const line = metrics
      .split('\n')
      .find((l) => l.startsWith(`${HISTOGRAM}_${series}{`) && l.includes(`command="${command}"`));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  };
  return { requests: value('sum'), commands: value('count') };
}

/** Reads the gateway's counts now; `since(before)` is then what a phase sent. */
export async function readEdgeCommands(metricsUrl: string): Promise<EdgeCommands> {
  const response = await fetch(metricsUrl);
  if (!response.ok) throw new Error(`GET ${metricsUrl} answered ${response.status}`);
  return edgeCommandsOf(await response.text());
}

/** One line for the bench's output: what the phase's single requests cost in commands. */
export function formatEdgeCommands(before: EdgeCommands, after: EdgeCommands): string {
  const requests = after.requests - before.requests;
  const commands = after.commands - before.commands;
  const perCommand = commands > 0 ? (requests / commands).toFixed(1) : '-';
  return `edge: ${requests} single requests in ${commands} commands (${perCommand} per command)`;
}
