import type { ChainProblem, ChainVerification } from "../audit/verify-audit-chain.js";
import { formatCount } from "../render/escape-mrkdwn.js";
import { bold, context, type Message, md, section } from "../render/message-model.js";
import { formatTime } from "./describe-request.js";

/** The verdict in operator words: one headline and the sentences under it. Plain text (the CLI prints it). */
export interface AuditVerificationText {
  ok: boolean;
  headline: string;
  details: string[];
}

const short = (hash: string) => (hash === "" ? "none" : `${hash.slice(0, 12)}…`);
const when = (at: number | undefined) => (at === undefined ? "" : ` (${formatTime(at)})`);
const range = (from: number, to: number) =>
  from === to ? `Entry ${formatCount(from)} is` : `Entries ${formatCount(from)}–${formatCount(to)} are`;

function describeProblem(problem: ChainProblem): string[] {
  switch (problem.kind) {
    case "altered":
      return [
        `Entry ${formatCount(problem.seq)}${when(problem.at)} was changed after it was written: its content no longer matches its hash.`,
        `Stored hash ${short(problem.storedHash)}, hash of the content now ${short(problem.computedHash)}.`,
      ];
    case "broken_link":
      return [
        `Entry ${formatCount(problem.seq)}${when(problem.at)} does not link to entry ${formatCount(problem.seq - 1)} as it is stored now: entry ${formatCount(problem.seq - 1)} was changed or replaced after entry ${formatCount(problem.seq)} was written.`,
        `Entry ${formatCount(problem.seq)} links to ${short(problem.foundPrevHash)}, entry ${formatCount(problem.seq - 1)} hashes to ${short(problem.expectedPrevHash)}.`,
      ];
    case "missing":
      return [
        `${range(problem.fromSeq, problem.toSeq)} missing, after entry ${formatCount(problem.fromSeq - 1)}${when(problem.at)}: deleted from the store.`,
      ];
    case "out_of_order":
      return [
        `Entry ${formatCount(problem.seq)}${when(problem.at)} appears where entry ${formatCount(problem.expectedSeq)} was expected: entries were moved or duplicated.`,
      ];
    case "unchained":
      return [
        `Entry ${formatCount(problem.seq)}${when(problem.at)} was written before the audit log was chained, so it cannot be checked.`,
        "Export the log, then prune it up to the first chained entry (`npm run audit -- prune --before <time>`).",
      ];
    case "missing_tail":
      return problem.witness === "head"
        ? [
            `${range(problem.fromSeq, problem.toSeq)} missing at the end: the chain head names entry ${formatCount(problem.toSeq)}, the last entry present is ${formatCount(problem.fromSeq - 1)}${when(problem.at)}. They were deleted.`,
          ]
        : [
            `${range(problem.fromSeq, problem.toSeq)} missing at the end: the digest posted${when(problem.postedAt)} names entry ${formatCount(problem.toSeq)}, the store ends at entry ${formatCount(problem.fromSeq - 1)}${when(problem.at)}.`,
            "They were deleted and the chain head was set back to hide it.",
          ];
    case "head_mismatch":
      return [
        `The chain head names entry ${formatCount(problem.headSeq)} (${short(problem.headHash)}) but the last entry is ${formatCount(problem.lastSeq)} (${short(problem.lastHash)}): the head was rewritten, or entries were added outside the bot.`,
      ];
    case "digest_mismatch":
      return [
        `Entry ${formatCount(problem.seq)}${when(problem.at)} no longer has the hash the digest posted${when(problem.postedAt)} named (${short(problem.digestHash)}, now ${short(problem.storedHash)}): history up to it was rewritten.`,
      ];
  }
}

/** Words for a {@link ChainVerification}, shared by `/ops audit verify` and `npm run audit -- verify`. */
export function describeAuditVerification(result: ChainVerification): AuditVerificationText {
  if (!result.ok) {
    const checked = `checked ${formatCount(result.checked)} entries before the first problem`;
    return {
      ok: false,
      headline:
        result.problem.kind === "unchained"
          ? `Part of the audit log predates its hash chain and cannot be verified (${checked}).`
          : `The audit log was changed outside the bot (${checked}).`,
      details: describeProblem(result.problem),
    };
  }
  const { prunedThrough, head, checked, digest } = result;
  const details: string[] = [];
  if (checked === 0 && prunedThrough.seq === 0) {
    return { ok: true, headline: "The audit log is empty: nothing to verify.", details };
  }
  if (prunedThrough.seq > 0)
    details.push(
      `Entries 1–${formatCount(prunedThrough.seq)} were pruned after export; the chain is checked from there.`,
    );
  details.push(
    digest === undefined
      ? "No digest has been posted yet, so a deletion of the newest entries together with the chain head would not show here."
      : `It still contains entry ${formatCount(digest.seq)} with the hash of the digest posted${when(digest.postedAt)}.`,
  );
  const first = prunedThrough.seq + 1;
  return {
    ok: true,
    headline: `The audit log is intact: entries ${formatCount(first)}–${formatCount(head.seq)} are linked, every hash matches (head ${short(head.hash)}).`,
    details,
  };
}

/** `/ops audit verify`: the verdict, then what it rests on. Pure. */
export function buildAuditVerifyView(result: ChainVerification): Message {
  const text = describeAuditVerification(result);
  return {
    text: md`${text.headline}`,
    blocks: [
      section({
        text: text.ok
          ? md`:white_check_mark: ${bold(text.headline)}`
          : md`:rotating_light: ${bold(text.headline)}`,
      }),
      ...text.details.map((line) => section({ text: md`${line}` })),
      context(
        md`Every entry carries the SHA-256 of the one before it; \`npm run audit -- verify --digest <seq>:<hash>\` checks against a digest from the digest channel.`,
      ),
    ],
  };
}
