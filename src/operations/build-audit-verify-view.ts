import type { ChainProblem, ChainVerification } from "../audit/verify-audit-chain.js";
import { formatCount } from "../render/escape-mrkdwn.js";
import { bold, context, type Message, md, section, withInlineCode } from "../render/message-model.js";
import { formatTime } from "./describe-request.js";

/**
 * The verdict in operator words: one headline and the sentences under it. Plain text (the CLI prints it) where
 * backticks mark a command to paste (the view shows it as code).
 */
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
    case "unchained": {
      const one = problem.fromSeq === problem.toSeq;
      const prune =
        problem.at === undefined
          ? "`npm run audit -- prune --before <time> --export audit.jsonl`, <time> after the last of them"
          : `\`npm run audit -- prune --before ${new Date(problem.at + 1).toISOString()} --export audit.jsonl\``;
      return [
        `${range(problem.fromSeq, problem.toSeq)} at the start of the log and ${one ? "was" : "were"} written before the audit log was chained${one || problem.at === undefined ? when(problem.at) : ` (the last at ${formatTime(problem.at)})`}: ${one ? "it has" : "they have"} no hash and cannot be checked. Every entry after ${one ? "it" : "them"} is linked and matches its hash.`,
        `Export the log, then prune ${one ? "it" : "them"}: \`npm run audit -- export > audit.jsonl\`, then ${prune}.`,
      ];
    }
    case "hash_removed":
      return [
        `Entry ${formatCount(problem.seq)}${when(problem.at)} carries no hash, but an entry before it is chained: only entries at the start of the log can predate the chain, so its hash was removed after it was written.`,
      ];
    case "unrecorded_prune":
      return [
        `The prune point is set to entry ${formatCount(problem.throughSeq)} (${short(problem.throughHash)}), so the entries up to it are not checked, but no \`audit.pruned\` entry in the log records a prune through it with that hash: entries were deleted outside \`npm run audit -- prune\`, or the prune point was rewritten.`,
        ...(problem.recorded === undefined
          ? []
          : [
              `Entry ${formatCount(problem.recorded.seq)} records a prune through entry ${formatCount(problem.throughSeq)} with another hash (${short(problem.recorded.throughHash)}): the prune point was rewritten.`,
            ]),
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
      if (problem.pruneRecordSeq !== undefined)
        return [
          `The digest posted${when(problem.postedAt)} names entry ${formatCount(problem.seq)} (${short(problem.digestHash)}), which was pruned, but the prune recorded in entry ${formatCount(problem.pruneRecordSeq)} names it with another hash (${short(problem.storedHash)}): history up to it was rewritten.`,
        ];
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
          ? `Part of the audit log predates its hash chain and cannot be verified (checked ${formatCount(result.checked)} entries after it).`
          : result.problem.kind === "unrecorded_prune"
            ? `The start of the audit log was removed without a recorded prune (${checked}).`
            : `The audit log was changed outside the bot (${checked}).`,
      details: describeProblem(result.problem),
    };
  }
  const { prunedThrough, head, checked, digest, prunedDigest, pruneRecord } = result;
  const details: string[] = [];
  if (checked === 0 && prunedThrough.seq === 0) {
    return { ok: true, headline: "The audit log is empty: nothing to verify.", details };
  }
  if (prunedThrough.seq > 0)
    details.push(
      `Entries 1–${formatCount(prunedThrough.seq)} were pruned${pruneRecord === undefined ? "" : `, as entry ${formatCount(pruneRecord.seq)}${when(pruneRecord.at)} records`}; the chain is checked from there.`,
    );
  if (digest !== undefined)
    details.push(
      `It still contains entry ${formatCount(digest.seq)} with the hash of the digest posted${when(digest.postedAt)}.`,
    );
  else if (prunedDigest !== undefined)
    details.push(
      prunedDigest.pruneRecordSeq === undefined
        ? `The digest posted${when(prunedDigest.digest.postedAt)} names entry ${formatCount(prunedDigest.digest.seq)}, which predates the prune point (entry ${formatCount(prunedDigest.prunedThroughSeq)}): it was pruned, so the digest cannot be checked against the live log. Check it against the export that holds entry ${formatCount(prunedDigest.digest.seq)}, or give a digest posted after the prune.`
        : `The digest posted${when(prunedDigest.digest.postedAt)} names entry ${formatCount(prunedDigest.digest.seq)}, which was pruned: the prune recorded in entry ${formatCount(prunedDigest.pruneRecordSeq)} names it with the same hash. The entries after it were not checked against a digest.`,
    );
  else
    details.push(
      "No digest is recorded in this store, so a deletion of the newest entries together with the chain head would not show here (whoever can do that can delete the store's copy of the last digest too). Check against the latest digest in the digest channel: `npm run audit -- verify --digest <seq>:<hash>`.",
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
      // Our own words, their backticks marking commands: as code, pasteable like the footer's (a plain
      // interpolation would show them as look-alike backticks around escaped text).
      ...text.details.map((line) => section({ text: withInlineCode(line) })),
      context(
        md`Every entry carries the SHA-256 of the one before it; \`npm run audit -- verify --digest <seq>:<hash>\` checks against a digest from the digest channel.`,
      ),
    ],
  };
}
