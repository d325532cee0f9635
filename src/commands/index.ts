/**
 * The command layer: parsed slash commands → target resolution → read-only queries or the plugged-in
 * mutation/ops handlers, plus the action and modal registries. Platform-neutral (speaks `Message` and
 * the ports of `src/app/ports.ts`).
 */
export { commandLabel } from "./command-label.js";
export { type CommandRouter, type CommandRouterDeps, createCommandRouter } from "./create-command-router.js";
export {
  createInteractionTokens,
  type InteractionTokenOptions,
  type InteractionTokens,
  type StoredPick,
  type StoredQuery,
} from "./create-interaction-tokens.js";
export { createPrefixRegistry, type PrefixRegistry } from "./create-prefix-registry.js";
export { explainFailure, newReference } from "./explain-failure.js";
export { isReadIntent, runReadQuery } from "./read/run-read-query.js";
export type * from "./types.js";
