import type * as z from "zod";
import { parseDuration } from "../config/parse-duration.js";
import { MAX_WAVES, parseCountOrShare } from "../waves/plan-waves.js";
import { type Args, type Ctx, failure, type Result, usage } from "./parse-arguments.js";
import { quoteUserText } from "./quote-user-text.js";
import type { WaveOptionsSchema } from "./wave-options-schema.js";

/** The rolling-wave flags a mutation takes (`/ecs reboot tag:env=prod --waves 3 --pause 5m --max-failures 10%`). */
export const WAVE_FLAGS = ["--waves", "--wave-size", "--pause", "--max-failures"] as const;

/**
 * Reads the wave flags collected by `collectArgs` (given as `valueFlags`). Undefined when none is given;
 * `--pause` and `--max-failures` need `--waves` or `--wave-size`, which exclude each other.
 */
export function waveOptionsOf(ctx: Ctx, args: Args): Result<z.infer<typeof WaveOptionsSchema> | undefined> {
  const get = (flag: (typeof WAVE_FLAGS)[number]) => args.values.get(flag);
  if (WAVE_FLAGS.every((f) => get(f) === undefined)) return { ok: true, value: undefined };
  const bad = (flag: string, value: string, expected: string) =>
    failure("invalid_value", `\`${flag}\` ${quoteUserText(value)} is not ${expected}.`, {
      usage: usage(ctx),
    });
  const waves = get("--waves");
  const size = get("--wave-size");
  if (waves !== undefined && size !== undefined)
    return failure("invalid_flag", "Give either `--waves <n>` or `--wave-size <n|p%>`, not both.", {
      usage: usage(ctx),
    });
  if (waves === undefined && size === undefined) {
    const given = WAVE_FLAGS.filter((f) => get(f) !== undefined).map((f) => `\`${f}\``);
    return failure(
      "missing_argument",
      `${given.join(" and ")} ${given.length === 1 ? "works" : "work"} with waves: add \`--waves <n>\` or \`--wave-size <n|p%>\`.`,
      { usage: usage(ctx) },
    );
  }
  const out: z.infer<typeof WaveOptionsSchema> = {};
  if (waves !== undefined) {
    const n = /^\d{1,4}$/.test(waves) ? Number(waves) : Number.NaN;
    if (!(n >= 1 && n <= MAX_WAVES)) return bad("--waves", waves, `a number of waves from 1 to ${MAX_WAVES}`);
    out.waves = n;
  }
  if (size !== undefined) {
    const parsed = parseCountOrShare(size);
    if (parsed === undefined) return bad("--wave-size", size, "a number of servers or a share such as `25%`");
    out.size = parsed;
  }
  const pause = get("--pause");
  if (pause !== undefined) {
    const parsed = parseDuration(pause);
    if (!parsed.ok || parsed.ms > 86_400_000)
      return bad("--pause", pause, "a duration up to 1d such as `30s`, `5m` or `1h`");
    out.pauseMs = parsed.ms;
  }
  const maxFailures = get("--max-failures");
  if (maxFailures !== undefined) {
    const parsed = parseCountOrShare(maxFailures);
    if (parsed === undefined)
      return bad("--max-failures", maxFailures, "a number of servers or a share such as `10%`");
    out.maxFailures = parsed;
  }
  return { ok: true, value: out };
}
