import { describe, expect, it } from "vitest";
import { buildAuditDigestMessage } from "../../src/audit/build-audit-digest-message.js";
import type { ChainProblem } from "../../src/audit/verify-audit-chain.js";
import {
  buildAuditVerifyView,
  describeAuditVerification,
} from "../../src/operations/build-audit-verify-view.js";
import { GENESIS_HASH } from "../../src/store/store.js";
import { expectHarmless, render } from "../views/view-test-helpers.js";

const AT = Date.UTC(2025, 2, 4, 9, 30, 0);
const H1 = "ab".repeat(32);
const H2 = "cd".repeat(32);

describe("buildAuditVerifyView", () => {
  it("an intact log: the range checked, the prune point and the digest it was checked against", async () => {
    const { kit, golden } = render(
      buildAuditVerifyView({
        ok: true,
        checked: 1_200,
        prunedThrough: { seq: 300, hash: H1 },
        pruneRecord: { seq: 301, at: AT },
        head: { seq: 1_500, hash: H2 },
        digest: { seq: 1_480, hash: H1, postedAt: AT },
      }),
    );
    expectHarmless(kit);
    await expect(golden).toMatchFileSnapshot("golden/audit-verify-intact.json");
  });

  it("a tampered log: the entry, its time and what differs", async () => {
    const { kit, golden } = render(
      buildAuditVerifyView({
        ok: false,
        checked: 56,
        problem: { kind: "altered", seq: 57, at: AT, storedHash: H1, computedHash: H2 },
      }),
    );
    expectHarmless(kit);
    await expect(golden).toMatchFileSnapshot("golden/audit-verify-altered.json");
  });

  it("a command in the words is pasteable code, as in the footer: real backticks, angle brackets as Slack shows them", async () => {
    const noDigest = render(
      buildAuditVerifyView({
        ok: true,
        checked: 40,
        prunedThrough: { seq: 0, hash: GENESIS_HASH },
        head: { seq: 40, hash: H2 },
      }),
    );
    expectHarmless(noDigest.kit);
    const unchained = render(
      buildAuditVerifyView({
        ok: false,
        checked: 9,
        problem: { kind: "unchained", fromSeq: 1, toSeq: 2, at: AT },
      }),
    );
    const pasteable = "`npm run audit -- verify --digest &lt;seq&gt;:&lt;hash&gt;`";
    const texts = JSON.stringify([noDigest.kit.blocks, unchained.kit.blocks]);
    // Untrusted text's look-alike backtick (U+02CB): shown as code marks, pasted as no command.
    expect(texts).not.toContain("\u02CB");
    // Once in the words, once in the footer, the same.
    expect(JSON.stringify(noDigest.kit.blocks).split(pasteable)).toHaveLength(3);
    expect(JSON.stringify(unchained.kit.blocks)).toContain(
      "`npm run audit -- prune --before 2025-03-04T09:30:00.001Z --export audit.jsonl`",
    );
    await expect(noDigest.golden).toMatchFileSnapshot("golden/audit-verify-no-digest.json");
    await expect(unchained.golden).toMatchFileSnapshot("golden/audit-verify-unchained.json");
    // The CLI prints the same words, the backticks as typed.
    expect(
      describeAuditVerification({
        ok: true,
        checked: 40,
        prunedThrough: { seq: 0, hash: GENESIS_HASH },
        head: { seq: 40, hash: H2 },
      }).details.join(" "),
    ).toContain("`npm run audit -- verify --digest <seq>:<hash>`");
  });

  it("words every kind of problem", () => {
    const problems: [ChainProblem, string][] = [
      [
        { kind: "broken_link", seq: 8, at: AT, expectedPrevHash: H1, foundPrevHash: H2 },
        "entry 7 was changed or replaced",
      ],
      [
        { kind: "missing", fromSeq: 40, toSeq: 45, at: AT },
        "Entries 40–45 are missing, after entry 39 (2025-03-04 09:30:00 UTC)",
      ],
      [{ kind: "out_of_order", seq: 12, expectedSeq: 15 }, "Entry 12 appears where entry 15 was expected"],
      [{ kind: "unchained", fromSeq: 1, toSeq: 2 }, "were written before the audit log was chained"],
      [{ kind: "hash_removed", seq: 10 }, "its hash was removed after it was written"],
      [
        { kind: "unrecorded_prune", throughSeq: 30, throughHash: H1 },
        "no `audit.pruned` entry in the log records a prune through it",
      ],
      [
        { kind: "missing_tail", fromSeq: 991, toSeq: 1_000, witness: "head", at: AT },
        "Entries 991–1,000 are missing at the end: the chain head names entry 1,000",
      ],
      [
        { kind: "missing_tail", fromSeq: 1_000, toSeq: 1_000, witness: "digest", postedAt: AT },
        "Entry 1,000 is missing at the end: the digest posted (2025-03-04 09:30:00 UTC) names entry 1,000",
      ],
      [
        { kind: "head_mismatch", headSeq: 9, lastSeq: 9, headHash: H1, lastHash: H2 },
        "the head was rewritten",
      ],
      [
        { kind: "digest_mismatch", seq: 70, digestHash: H1, storedHash: H2, postedAt: AT },
        "history up to it was rewritten",
      ],
    ];
    for (const [problem, words] of problems) {
      const text = describeAuditVerification({ ok: false, checked: 0, problem });
      expect(text.ok).toBe(false);
      expect(text.details.join(" ")).toContain(words);
    }
    expect(
      describeAuditVerification({
        ok: true,
        checked: 0,
        prunedThrough: { seq: 0, hash: GENESIS_HASH },
        head: { seq: 0, hash: GENESIS_HASH },
      }).headline,
    ).toBe("The audit log is empty: nothing to verify.");
  });
});

describe("buildAuditDigestMessage", () => {
  it("carries the full head and the command that checks against it", async () => {
    const { kit, golden } = render(buildAuditDigestMessage({ seq: 1_234, hash: H1 }, AT));
    expectHarmless(kit);
    expect(JSON.stringify(kit.blocks)).toContain(`npm run audit -- verify --digest 1234:${H1}`);
    await expect(golden).toMatchFileSnapshot("golden/audit-digest.json");
  });
});
