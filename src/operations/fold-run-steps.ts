import type { AuditRecord } from "../audit/audit-entry.js";

/** One line of the audit view: an entry, and the routine entries of its run said on the same line. */
export interface AuditLine {
  entry: AuditRecord;
  /** Entries folded into this line (a step's start into its end, a run's bookkeeping into its start or end). */
  also: AuditRecord[];
}

/** What a page's entries tell about one step of a run: its kind (from its start) and its call (from its calls). */
export interface StepFacts {
  kind?: string;
  call?: string;
}

/** Phases a wait step writes about the calls it confirms from the servers. */
const WAIT_PHASES: ReadonlySet<string> = new Set(["confirmed", "reconciled"]);

/** A run's step, as its entries name it: the run (`executionId`) and the step's ID in the flow. */
function stepKey(e: AuditRecord): string | undefined {
  const stepId = e.detail?.stepId;
  if (e.executionId === undefined || typeof stepId !== "string") return undefined;
  return `${e.executionId}\u0000${stepId}`;
}

/** The `execution.step` phase of an entry (`step_started`, `intent`…), or undefined. */
export function phaseOf(e: AuditRecord): string | undefined {
  const phase = e.detail?.phase;
  return e.type === "execution.step" && typeof phase === "string" ? phase : undefined;
}

/**
 * A page's entries (newest first) as lines: a step's start is said on its end's line, a run's creation on its
 * `execution.started` line and its last step entry (`run_finished`) on its `execution.finished` line, when
 * both are on the page; otherwise each stays a line of its own. Every entry stays on the page (its number is
 * on the line it is folded into): nothing an auditor could look for is hidden, but the who / what / approved /
 * sent / result entries are no longer buried under step bookkeeping. Also returns what the page says about
 * each step (`stepFacts`), so a step is said in operator words, never by its ID in the flow file. Pure.
 */
export function foldRunSteps(entries: readonly AuditRecord[]): {
  lines: AuditLine[];
  stepFacts: (e: AuditRecord) => StepFacts;
} {
  const facts = new Map<string, StepFacts>();
  const ends = new Map<string, AuditRecord>();
  const started = new Map<string, AuditRecord>();
  const finished = new Map<string, AuditRecord>();
  for (const e of entries) {
    const key = stepKey(e);
    if (key !== undefined) {
      const f = facts.get(key) ?? {};
      if (typeof e.detail?.kind === "string" && phaseOf(e) === "step_started") f.kind = e.detail.kind;
      // A call step's own entries name its call; a wait step's checks name the call they confirm (not theirs).
      const ofCallStep = e.type === "execution.job" || !WAIT_PHASES.has(phaseOf(e) ?? "");
      if (typeof e.detail?.call === "string" && ofCallStep) f.call = e.detail.call;
      facts.set(key, f);
      const phase = phaseOf(e);
      if (phase === "step_finished" || phase === "step_skipped") ends.set(key, e);
    }
    if (e.executionId !== undefined && e.type === "execution.started") started.set(e.executionId, e);
    if (e.executionId !== undefined && e.type === "execution.finished") finished.set(e.executionId, e);
  }
  // Which line each folded entry goes to (by the host entry's seq).
  const hostOf = new Map<number, AuditRecord>();
  for (const e of entries) {
    const phase = phaseOf(e);
    const key = stepKey(e);
    const host =
      phase === "step_started" && key !== undefined
        ? ends.get(key)
        : phase === "run_created" && e.executionId !== undefined
          ? started.get(e.executionId)
          : phase === "run_finished" && e.executionId !== undefined
            ? finished.get(e.executionId)
            : undefined;
    if (host !== undefined) hostOf.set(e.seq, host);
  }
  const lines: AuditLine[] = [];
  const lineOf = new Map<number, AuditLine>();
  for (const e of entries) {
    if (hostOf.has(e.seq)) continue;
    const line: AuditLine = { entry: e, also: [] };
    lines.push(line);
    lineOf.set(e.seq, line);
  }
  for (const e of entries) {
    const host = hostOf.get(e.seq);
    if (host !== undefined) lineOf.get(host.seq)?.also.push(e);
  }
  return {
    lines,
    stepFacts: (e) => {
      const key = stepKey(e);
      return (key === undefined ? undefined : facts.get(key)) ?? {};
    },
  };
}
