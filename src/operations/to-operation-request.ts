import type { MutationIntent } from "../commands/types.js";
import { flagsOfParameters, tagChangeOfParameters } from "../policy/policy-facts-of.js";
import type { PolicyFlags, TagChange } from "../policy/types.js";
import { ACTION_OF_OPERATION, type Operation } from "../workflow/flow-vocabulary.js";
import type { FlowParameters } from "../workflow/types.js";

/** A state-changing command as policy, preflight, approval and executor see it. */
export interface OperationRequest {
  operation: Operation;
  /** IAM-style action, e.g. `ecs:cloudServers:stop`. */
  action: string;
  /** What the approval binds and the executor gets (JSON, no undefined values). */
  parameters: FlowParameters;
  /** What the policy's `flags` conditions look at. */
  flags: PolicyFlags;
  /** Tag commands: the change, which the policy's `tag_change` conditions look at. */
  tagChange?: TagChange;
  /** `resize --dry-run`: validate only, never execute. */
  dryRun: boolean;
}

/** Maps a parsed mutation to its operation, parameters and policy flags. Pure. */
export function toOperationRequest(intent: MutationIntent): OperationRequest {
  switch (intent.type) {
    case "ecs.start":
      return request("start", {});
    case "ecs.stop":
      return request("stop", { hard: intent.hard });
    case "ecs.reboot":
      return request("reboot", { hard: intent.hard });
    case "ecs.resize":
      return { ...request("resize", { flavorRef: intent.flavor }, intent.dryRun), dryRun: intent.dryRun };
    case "ecs.delete":
      return request("delete", { deleteVolume: intent.deleteVolume, deleteEip: intent.deleteEip });
    case "ecs.tag.add": {
      const addTags = intent.tags.map((t) => ({ key: t.key, value: t.value }));
      return request("tag", { addTags });
    }
    case "ecs.tag.remove": {
      const removeTags = intent.tags.map((t) =>
        t.value === undefined ? { key: t.key } : { key: t.key, value: t.value },
      );
      return request("untag", { removeTags });
    }
    case "ecs.lock":
      return request("lock", {});
    case "ecs.unlock":
      return request("unlock", {});
    case "ecs.reinstall":
      // Without --keypair the preflight reads the server's own key pair and the approval binds it.
      return request("reinstall", intent.keyPair === undefined ? {} : { keyName: intent.keyPair });
    case "ecs.change-os":
      return request("change-os", {
        imageId: intent.imageId,
        ...(intent.keyPair !== undefined && { keyName: intent.keyPair }),
      });
    case "ecs.attach":
      return request("attach", {
        volumeId: intent.volumeId,
        ...(intent.device !== undefined && { device: intent.device }),
      });
    case "ecs.detach":
      return request("detach", { volumeId: intent.volumeId });
    case "ecs.migrate":
      return request(
        "migrate",
        intent.dedicatedHostId === undefined ? {} : { dedicatedHostId: intent.dedicatedHostId },
      );
  }
}

/**
 * The flags and tag change are read from the parameters as the re-decision before execution reads them
 * (`policyFlagsOf`, `tagChangeOf`, from the approval's bound parameters): the policy is asked the same question both times. Only a resize's dry
 * run is a flag of the request alone (a dry run is never approved nor run).
 */
function request(operation: Operation, parameters: FlowParameters, dryRun = false): OperationRequest {
  const action = ACTION_OF_OPERATION[operation];
  const flags = flagsOfParameters(operation, parameters);
  const tagChange = tagChangeOfParameters(operation, parameters);
  return {
    operation,
    action,
    parameters,
    flags: dryRun ? { ...flags, dryRun } : flags,
    ...(tagChange !== undefined && { tagChange }),
    dryRun: false,
  };
}
