import type { CloudSimulatorOptions } from "./start-cloud-simulator.js";

/** Parses the simulator CLI flags (see `cli.ts`); throws on unknown flags or bad numbers. */
export function parseSimArgs(argv: readonly string[]): CloudSimulatorOptions {
  const options: CloudSimulatorOptions = {};
  const jobTiming: { initMs?: number; runningMs?: number } = {};
  const num = (flag: string, value: string | undefined): number => {
    const n = Number(value);
    if (value === undefined || !Number.isFinite(n)) throw new Error(`${flag} needs a number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case "--port":
        options.port = num(flag, value());
        break;
      case "--servers":
        options.servers = num(flag, value());
        break;
      case "--seed":
        options.seed = num(flag, value());
        break;
      case "--host":
        options.host = value();
        break;
      case "--region":
        options.region = value();
        break;
      case "--edge-cases":
        options.edgeCases = true;
        break;
      case "--init-ms":
        jobTiming.initMs = num(flag, value());
        break;
      case "--running-ms":
        jobTiming.runningMs = num(flag, value());
        break;
      default:
        throw new Error(`unknown option ${arg}`);
    }
  }
  if (Object.keys(jobTiming).length > 0) options.jobTiming = jobTiming;
  return options;
}
