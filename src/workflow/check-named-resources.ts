/**
 * Preflight checks of what a request names besides its servers, made before anything is sent: the key pair of
 * a reinstall or change of OS, the image of a change of OS, and the direction and host of a migration. Each of
 * these the cloud checks only when the call is made, which comes after a running server was stopped: caught
 * here, the request is refused with nothing stopped (or, for a host the ECS API cannot show, the approvers are
 * told what a wrong one does). Results are written onto the preflight like the other checks.
 */
import { CloudError } from "../cloud/errors.js";
import type { Server } from "../cloud/types.js";
import type { NeedsInput } from "./check-operation-needs.js";
import type { PreflightProblem, PreflightTarget } from "./preflight-types.js";
import type { FlowParameters } from "./types.js";

function serverOf(input: NeedsInput, t: PreflightTarget): Server | undefined {
  const read = input.reads.get(t.id);
  return read?.kind === "found" ? read.server : undefined;
}

function problem(
  t: PreflightTarget | undefined,
  severity: PreflightProblem["severity"],
  code: PreflightProblem["code"],
  message: string,
  global: PreflightProblem[],
): void {
  if (t === undefined) global.push({ severity, code, message });
  else t.problems.push({ severity, code, serverId: t.id, message });
}

/**
 * Reinstall / change OS: every key pair the request would install exists in the project. The one named
 * (`--keypair`, or the one all servers share) is read once; otherwise each distinct key pair of the servers,
 * once each, never once per server. A key pair that cannot be read is a warning: the cloud still checks it.
 */
export async function checkKeyPairsExist(input: NeedsInput, parameters: FlowParameters): Promise<void> {
  const users = new Map<string, PreflightTarget[]>();
  for (const t of input.found) {
    const name = parameters.keyName ?? serverOf(input, t)?.keyName;
    if (name === undefined) continue; // no key pair at all: `no_key_pair` already refuses it
    users.set(name, [...(users.get(name) ?? []), t]);
  }
  const named = input.params.keyName !== undefined;
  await Promise.all(
    [...users].map(async ([name, targets]) => {
      let found: boolean;
      try {
        found = (await input.ecs.getKeyPair(name, input.signal)).found;
      } catch (err) {
        if (!(err instanceof CloudError)) throw err;
        input.global.push({
          severity: "warning",
          code: "key_pair_unreadable",
          message: `key pair ${name} could not be checked (${err.code}); if it does not exist, Huawei Cloud refuses the ${input.operation} only after a running server is stopped`,
        });
        return;
      }
      if (found) return;
      if (named) {
        input.global.push({
          severity: "blocking",
          code: "key_pair_not_found",
          message: `key pair ${name} does not exist in this project; name an existing one with --keypair <name>`,
        });
        return;
      }
      for (const t of targets) {
        problem(
          t,
          "blocking",
          "key_pair_not_found",
          `${t.name}: its key pair ${name} no longer exists in this project; name an existing one with --keypair <name>`,
          input.global,
        );
      }
    }),
  );
}

/** Change OS: the new image exists in the region and can be installed (ACTIVE); one read for the request. */
export async function checkImageAvailable(input: NeedsInput): Promise<void> {
  const imageId = input.params.imageId;
  if (imageId === undefined || input.found.length === 0) return;
  let lookup: Awaited<ReturnType<NeedsInput["ecs"]["getImage"]>>;
  try {
    lookup = await input.ecs.getImage(imageId, input.signal);
  } catch (err) {
    if (!(err instanceof CloudError)) throw err;
    input.global.push({
      severity: "warning",
      code: "image_unreadable",
      message: `image ${imageId} could not be checked (${err.code}); if it does not exist, Huawei Cloud refuses the change of OS only after a running server is stopped`,
    });
    return;
  }
  if (!lookup.found) {
    input.global.push({
      severity: "blocking",
      code: "image_not_found",
      message: `image ${imageId} does not exist in this region; check the image ID`,
    });
    return;
  }
  const { status, name } = lookup.value;
  if (status !== undefined && status.toUpperCase() !== "ACTIVE") {
    input.global.push({
      severity: "blocking",
      code: "image_not_active",
      message: `image ${imageId}${name ? ` (${name})` : ""} is ${status}, not ACTIVE, so it cannot be installed`,
    });
  }
}

/**
 * Migrate: the move the server's details allow (5.2.3: public pool → DeH, DeH → DeH, DeH → public pool). A
 * server whose details show no dedicated host is in the public pool: it needs `--dedicated-host`; a server
 * is not moved to the host it is on. Whether a named host exists cannot be read through the ECS API (the
 * DeH list is another service's, and 5.2.3 has no dry run): the cloud decides it when the migration is sent,
 * after a running server was stopped: a refusal then costs a stop and a start (the flow starts it again), and
 * a migration whose outcome is unknown leaves it stopped. So for a running server the approvers are warned what
 * a wrong ID does. (Only another server on the host could prove it exists, through
 * its `os:scheduler_hints`, and no documented read filters by host: a listing of the whole fleet for one
 * migration is not worth a proof that an empty host can never give.)
 */
export async function checkMigrationTarget(input: NeedsInput): Promise<void> {
  const to = input.params.dedicatedHostId;
  const toStop: PreflightTarget[] = [];
  for (const t of input.found) {
    const host = serverOf(input, t)?.dedicatedHost;
    if (to === undefined && host === undefined) {
      problem(
        t,
        "blocking",
        "migration_needs_host",
        `${t.name}: is in the public resource pool, and from there it can only move to a dedicated host; name one with --dedicated-host <id>`,
        input.global,
      );
    } else if (to !== undefined && host?.id === to) {
      problem(
        t,
        "blocking",
        "same_dedicated_host",
        `${t.name}: is already on dedicated host ${to}; name another one, or leave out --dedicated-host to move it back to the public resource pool`,
        input.global,
      );
    } else if (to !== undefined && t.restart) {
      toStop.push(t);
    }
  }
  if (to === undefined) return;
  for (const t of toStop) {
    problem(
      t,
      "warning",
      "dedicated_host_unconfirmed",
      `${t.name}: Huawei Cloud checks dedicated host ${to} only after the stop: if the ID is wrong, the migration fails and the bot starts ${t.name} again (it stays stopped only if the outcome is unknown)`,
      input.global,
    );
  }
}
