/**
 * `npm run sim -- --port <n> --servers <n> --seed <n> [--host <h>] [--region <r>] [--edge-cases]
 *   [--init-ms <n>] [--running-ms <n>]`
 *
 * Starts the simulated Huawei Cloud, prints one JSON line with its endpoints and (fake) credentials,
 * and runs until SIGINT/SIGTERM.
 */
import { parseSimArgs } from "./parse-sim-args.js";
import { startCloudSimulator } from "./start-cloud-simulator.js";

async function main(): Promise<void> {
  const sim = await startCloudSimulator(parseSimArgs(process.argv.slice(2)));
  process.stdout.write(
    `${JSON.stringify({
      ecsEndpoint: sim.ecsEndpoint,
      hssEndpoint: sim.hssEndpoint,
      iamEndpoint: sim.iamEndpoint,
      region: sim.region,
      projectId: sim.projectId,
      ak: sim.ak,
      sk: sim.sk,
    })}\n`,
  );
  const stop = (): void => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
