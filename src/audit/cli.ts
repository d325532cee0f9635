/** `npm run audit -- verify|export|prune …`: see `run-audit-cli.ts`. */
import { runAuditCli } from "./run-audit-cli.js";

runAuditCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`audit: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
