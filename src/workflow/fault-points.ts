/**
 * Named points inside a mutation where a test can make the process die (`HWC_FAULT_POINT`, see
 * `src/main.ts`), to prove that recovery never sends a mutation twice:
 * - `after-intent`: the intent is saved, the call is not sent yet;
 * - `after-send`: the call was sent (and answered, or its answer lost), its job ID or outcome is not saved yet.
 * A test hook only: the executor calls `faultPoint` when one is given, and nothing is given unless the variable
 * is set.
 */
export const FAULT_POINTS = ["after-intent", "after-send"] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];
