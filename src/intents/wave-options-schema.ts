import * as z from "zod";
import { MAX_WAVES } from "../waves/plan-waves.js";

const CountOrShareSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("count"), value: z.number().int().min(1) }),
  z.strictObject({ kind: z.literal("percent"), value: z.number().int().min(1).max(100) }),
]);

/** The wave options of an intent, as typed (planned against the resolved servers later, `planWaves`). */
export const WaveOptionsSchema = z.strictObject({
  waves: z.number().int().min(1).max(MAX_WAVES).optional(),
  size: CountOrShareSchema.optional(),
  pauseMs: z.number().int().nonnegative().optional(),
  maxFailures: CountOrShareSchema.optional(),
});
