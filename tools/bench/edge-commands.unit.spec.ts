import { edgeCommandsOf, formatEdgeCommands } from './edge-commands';

const EXPOSITION = [
  '# HELP prov_gateway_requests_per_command Single create requests carried by one command',
  '# TYPE prov_gateway_requests_per_command histogram',
  'prov_gateway_requests_per_command_bucket{le="1",command="request-assignment"} 3',
  'prov_gateway_requests_per_command_sum{command="register-identity"} 7',
  'prov_gateway_requests_per_command_count{command="register-identity"} 7',
  'prov_gateway_requests_per_command_sum{command="request-assignment"} 1000',
  'prov_gateway_requests_per_command_count{command="request-assignment"} 125',
].join('\n');

describe('the gateway’s commands per single request, from its metrics', () => {
  it('reads the sum and count of the request-assignment commands only', () => {
    expect(edgeCommandsOf(EXPOSITION)).toEqual({ requests: 1000, commands: 125 });
  });

  it('counts nothing before the gateway has sent such a command', () => {
    expect(edgeCommandsOf('# TYPE prov_gateway_requests_per_command histogram\n')).toEqual({
      requests: 0,
      commands: 0,
    });
  });

  it('says what a phase sent: the difference, and the requests per command', () => {
    expect(formatEdgeCommands({ requests: 2, commands: 2 }, { requests: 1002, commands: 127 })).toBe(
      'edge: 1000 single requests in 125 commands (8.0 per command)',
    );
  });
});
