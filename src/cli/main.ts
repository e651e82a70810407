// kfed command-line entry.
import { Command } from 'commander';
import { registerControllerCommand } from './controller-command.js';
import { registerEnableCommands } from './enable-command.js';
import { registerFederateCommand } from './federate-command.js';
import { registerPreviewCommand } from './preview-command.js';
import { registerJoinCommands } from './join-command.js';
import { registerSandboxCommands } from './sandbox-command.js';

const program = new Command();
program
  .name('kfed')
  .description('Multi-cluster Kubernetes control plane: Kubefed-compatible workload federation and geo-aware global DNS')
  .version('0.1.0')
  // A parent command's options stop at its subcommand's name, so `kfed sandbox ctl
  // --kubeconfig X` reaches ctl's --kubeconfig (commander would otherwise let the
  // parent take it). Subcommands inherit this when they are created.
  .enablePositionalOptions()
  .showHelpAfterError();

registerSandboxCommands(program);
registerControllerCommand(program);
registerJoinCommands(program);
registerEnableCommands(program);
registerFederateCommand(program);
registerPreviewCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  const e = err as Error & { cause?: unknown };
  let msg = e.message;
  if (e.cause instanceof Error) msg += `: ${e.cause.message}`;
  process.stderr.write(`error: ${msg}\n`);
  process.exit(1);
});
