// Running the real kubectl against a sandbox in e2e tests: stdout on success, an error
// carrying kubectl's stderr on failure.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A `kubectl(...args)` bound to a binary and a kubeconfig (read at call time, so it may be set in beforeAll). */
export function kubectlRunner(bin: string, kubeconfig: () => string): (...args: string[]) => Promise<string> {
  return async (...args) => {
    try {
      const { stdout } = await run(bin, ['--kubeconfig', kubeconfig(), ...args], { timeout: 30_000 });
      return stdout;
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`kubectl ${args.join(' ')} failed: ${e.stderr || e.message}`, { cause: err });
    }
  };
}
