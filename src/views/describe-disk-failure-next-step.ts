import { code, md, type Span } from "../render/message-model.js";

/**
 * What to do after an attach or a detach of a disk failed, in one line: the cloud's reason says what went wrong,
 * never what to look at next. `server`: as it can be typed back in a command (a name, quoted if it needs it, or
 * an ID). An attach asked again is checked first (the attach API's dry run), which says whether the disk is still
 * free before anything is sent.
 */
export function describeDiskFailureNextStep(operation: "attach" | "detach", server: string): Span[] {
  const show = code(`/ecs show ${server}`);
  return operation === "attach"
    ? md`Next: ${show} to see its disks; asking again checks first whether the disk is still free.`
    : md`Next: ${show} to see its disks, and whether the disk is still attached.`;
}

/** The operation of a disk job, from its ECS job type (`attachVolume`, `detachVolume`); undefined for others. */
export function diskOperationOfJob(jobType: string | undefined): "attach" | "detach" | undefined {
  if (jobType === undefined) return undefined;
  if (/^attach\w*volume$/i.test(jobType)) return "attach";
  if (/^detach\w*volume$/i.test(jobType)) return "detach";
  return undefined;
}
