// The `geekos` command: the GeekOS host, the v3 VMM, the devices and the default guest linked
// into one image (the unified build). See ../README.md for options and exit codes.
import { DEFAULT_GUEST } from './default-guest.js';
import { EXIT } from './exit.js';
import { main } from './run.js';

main({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  defaultGuest: DEFAULT_GUEST,
}).then(
  (code) => finish(code),
  (err: unknown) => {
    process.stderr.write(`geekos: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    finish(EXIT.INTERNAL);
  },
);

/** Exit once stdout has taken everything written to it (a pipe may still hold some). */
function finish(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
}
