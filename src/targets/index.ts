/**
 * Target resolution: parsed targets (names, IDs, IPs, tag selectors) → immutable server IDs, before
 * anything acts on them. `resolveTargets` is the pure core; `createCloudTargetLookup` feeds it from ECS.
 */
export { closestNames } from "./closest-names.js";
export { createCloudTargetLookup } from "./create-cloud-target-lookup.js";
export { createFleetNameIndex, type FleetNameIndex } from "./create-fleet-name-index.js";
export { nameMatchingFor } from "./name-matching-for.js";
export { replaceTarget, targetsOf } from "./replace-target.js";
export { createListLookup, type ResolveTargetsOptions, resolveTargets } from "./resolve-targets.js";
export type * from "./types.js";
