// Flags refused while parsing, before any request: the commands are registered on a
// program whose exits and output are captured.
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerControllerCommand } from '../../../src/cli/controller-command.js';
import { registerEnableCommands } from '../../../src/cli/enable-command.js';
import { registerFederateCommand } from '../../../src/cli/federate-command.js';
import { registerJoinCommands } from '../../../src/cli/join-command.js';

/** Parses `args` as `kfed args...`; returns what commander wrote to stderr. */
export async function cliError(args: string[]): Promise<string> {
  let stderr = '';
  const program = new Command().name('kfed').enablePositionalOptions().exitOverride().configureOutput({ writeErr: (s) => (stderr += s), writeOut: () => undefined });
  registerControllerCommand(program);
  registerJoinCommands(program);
  registerEnableCommands(program);
  registerFederateCommand(program);
  const err = await program.parseAsync(args, { from: 'user' }).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(CommanderError);
  return stderr.trim();
}

describe('--kubefed-namespace and -n are namespace names', () => {
  it.each([
    [['controller', '--kubefed-namespace', 'Bad NS']],
    [['join', 'cluster-2', '--kubefed-namespace', 'Bad NS']],
    [['unjoin', 'cluster-2', '--kubefed-namespace', 'UPPER']],
    [['enable', 'deployments', '--kubefed-namespace', 'bad_ns']],
    [['disable', 'deployments', '--kubefed-namespace', '-leading-dash']],
    [['federate', 'configmap', 'x', '-n', 'a'.repeat(64)]],
  ])('kfed %j', async (args) => {
    const bad = args[args.length - 1]!;
    expect(await cliError(args)).toBe(`error: option '${args[args.length - 2] === '-n' ? '-n, --namespace <ns>' : '--kubefed-namespace <ns>'}' argument '${bad}' is invalid. ${JSON.stringify(bad)} is not a valid namespace name: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters`);
  });
});
