/**
 * Free text (a `--reason`) carrying a credential is refused like a password, by one home
 * (`textCarriesPassword`), with a message that names the kind and never the value; ordinary reasons (ticket IDs,
 * URLs, commit hashes, server IDs, dates, prose) pass. Hostile fixtures are generated around real-looking
 * credentials (random values of each shape, embedded anywhere in a reason, quoted, with punctuation).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  credentialInText,
  redactCredentials,
  secretInText,
  secretInTextRefused,
  textCarriesPassword,
} from "../../src/intents/find-secrets-in-text.js";
import { validateRejectReason } from "../../src/operations/build-reject-modal.js";

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
const HEX = "0123456789abcdef";
const ALNUM = UPPER + LOWER + DIGITS;

const chars = (alphabet: string, min: number, max = min) =>
  fc.array(fc.constantFrom(...alphabet), { minLength: min, maxLength: max }).map((a) => a.join(""));
/** `length` characters of `alphabet` with at least one of each of `must` (placed at random positions). */
const withEach = (alphabet: string, length: number, must: string[]) =>
  fc
    .tuple(
      chars(alphabet, length - must.length),
      fc.tuple(...must.map((m) => fc.constantFrom(...m))),
      fc.array(fc.nat(), { minLength: must.length, maxLength: must.length }),
    )
    .map(([rest, picks, at]) => {
      let s = rest;
      picks.forEach((p, i) => {
        const pos = (at[i] ?? 0) % (s.length + 1);
        s = s.slice(0, pos) + p + s.slice(pos);
      });
      return s;
    });

const slackToken = fc
  .tuple(
    fc.constantFrom("xoxb", "xoxp", "xoxa", "xoxe", "xoxr", "xoxs", "xoxe.xoxp", "xapp"),
    chars(DIGITS, 10, 13),
    chars(DIGITS, 10, 13),
    chars(ALNUM, 24, 32),
  )
  .map(([p, a, b, c]) => (p === "xapp" ? `xapp-1-${a}-${b}-${c}` : `${p}-${a}-${b}-${c}`));
const huaweiAk = withEach(UPPER + DIGITS, 20, [UPPER]);
const secretKey = withEach(ALNUM, 40, [UPPER, LOWER, DIGITS]);
const awsKeyId = fc.tuple(fc.constantFrom("AKIA", "ASIA"), chars(UPPER + DIGITS, 16)).map(([p, r]) => p + r);
const labelled = fc
  .tuple(
    fc.constantFrom(
      "sk",
      "SK",
      "ak",
      "secret",
      "secret_key",
      "access_key",
      "api_key",
      "token",
      "client_secret",
    ),
    fc.constantFrom("=", ": ", ":"),
    withEach(`${ALNUM}_-./+=`, 24, [LOWER, DIGITS]),
  )
  .map(([k, sep, v]) => `${k}${sep}${v}`);
const bearer = withEach(`${ALNUM}-._~+/`, 32, [LOWER, DIGITS]).map((t) => `Bearer ${t}`);
const jwt = fc
  .tuple(chars(`${ALNUM}_-`, 16, 40), chars(`${ALNUM}_-`, 16, 60), chars(`${ALNUM}_-`, 20, 43))
  .map(([a, b, c]) => `eyJ${a}.eyJ${b}.${c}`);
const privateKey = fc
  .constantFrom("RSA ", "EC ", "OPENSSH ", "ENCRYPTED ", "", "PGP ")
  .chain((kind) =>
    chars(ALNUM, 40, 64).map(
      (body) => `-----BEGIN ${kind}PRIVATE KEY${kind === "PGP " ? " BLOCK" : ""}-----\n${body}`,
    ),
  );
const githubToken = chars(ALNUM, 36).map((r) => `ghp_${r}`);
const webhook = fc
  .tuple(chars(UPPER + DIGITS, 9), chars(UPPER + DIGITS, 11), chars(ALNUM, 24))
  .map(([t, b, s]) => `https://hooks.slack.com/services/T${t}/B${b}/${s}`);
const urlWithPassword = fc
  .tuple(chars(LOWER, 3, 8), chars(ALNUM, 8, 20))
  .map(([u, p]) => `https://${u}:${p}@grafana.example.com/d/abc`);

const credential = fc.oneof(
  slackToken,
  huaweiAk.chain((ak) => secretKey.map((sk) => `AK ${ak} SK ${sk}`)),
  secretKey,
  awsKeyId,
  labelled,
  bearer,
  jwt,
  privateKey,
  githubToken,
  webhook,
  urlWithPassword,
);

/** Ordinary reason text around a credential: tickets, words, punctuation, quotes. */
const prose = fc.array(
  fc.constantFrom(
    "CHG-102",
    "INC-12345",
    "rotated",
    "the",
    "bot",
    "token",
    "and",
    "(see",
    "runbook)",
    "—",
    "key:",
  ),
  { maxLength: 6 },
);
const around = (secret: fc.Arbitrary<string>) =>
  fc
    .tuple(prose, secret, prose, fc.constantFrom("", '"', "'", "(", "`"))
    .map(([before, s, after, q]) => [...before, `${q}${s}${q === "(" ? ")" : q}`, ...after].join(" "));

describe("reasons carrying a credential", () => {
  it("are refused, whatever surrounds the credential", () => {
    fc.assert(
      fc.property(around(credential), (reason) => {
        expect(credentialInText(reason), reason).toBeDefined();
        expect(textCarriesPassword(reason), reason).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("the refusal names the kind of credential and never repeats the text", () => {
    fc.assert(
      fc.property(credential, prose, (secret, words) => {
        const reason = [...words, secret].join(" ");
        const { error } = secretInTextRefused(reason);
        expect(error.code).toBe("password_not_allowed");
        expect(error.message).toContain(`looks like ${credentialInText(reason)}`);
        // No 8 consecutive characters of the secret in the message.
        for (let i = 0; i + 8 <= secret.length; i += 4)
          expect(error.message).not.toContain(secret.slice(i, i + 8));
      }),
      { numRuns: 300 },
    );
  });

  it("the auditor's fixtures", () => {
    const cases: [string, string][] = [
      ["rotated bot token xoxb-1111111111-2222222222-AbCdEfGhIjKlMnOpQrStUvWx", "a Slack token"],
      ["user token xoxp-1111111111-2222222222-3333333333-abcdef0123456789abcdef0123456789", "a Slack token"],
      ["app token xapp-1-A0123456789-1234567890123-abcdef0123456789", "a Slack token"],
      ["and sk=Q2hhbmdlTWVQbGVhc2UxMjM0NTY3ODkwYWJjZGVm", "a secret key"],
      ["the SK is MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc now", "a secret key"],
      ["AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "an access key ID"],
      ["AK QTWAOYTTINDUT2QVKYUC SK MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc", "an access key pair (AK/SK)"],
      ["creds QTWAOYTTINDUT2QVKYUC 0123456789abcdef0123456789abcdef01234567", "an access key pair (AK/SK)"],
      ["curl -H 'Authorization: Bearer abcdefghijklmnop1234567890'", "a bearer token"],
      ["Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l", "an Authorization header"],
      ["key -----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAA", "a private key"],
    ];
    for (const [reason, kind] of cases) expect(credentialInText(reason), reason).toBe(kind);
  });

  it("a password is still refused with the password message", () => {
    const { error } = secretInTextRefused("the root password is hunter2");
    expect(error.message).toContain("never takes a password");
  });
});

const ordinary = [
  "INC-12345",
  "CHG-102 decommission",
  "see https://jira.example.com/browse/OPS-4711 and https://wiki.example.com/x?y=1#z",
  "revert 3f2a9c0e1b7d4a6f8e5c2b1a0d9f8e7c6b5a4d3e (the bad deploy)",
  "deploy 3F2A9C0E1B7D4A6F8E5C2B1A0D9F8E7C6B5A4D3E",
  "server d704b694-9efd-4a74-920f-e8cf2caf37eb is stuck",
  "the token rotation failed, retry",
  "token: expired",
  "Authorization: pending from CAB",
  "bearer of bad news",
  "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "job 8a0b6c2e4f6a8c0e2a4c6e8a0c2e4a6c",
  "https://docs.google.com/document/d/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdEF/edit",
  "window 2026-12-07T00:17Z to 2026-12-07T02:00Z",
  "ask @alice, ping #ops-oncall",
  "ssh://git@github.com/acme/infra.git",
  "the API key is in the vault, not here",
];

describe("ordinary reasons", () => {
  it.each(ordinary)("%s passes", (reason) => {
    expect(credentialInText(reason)).toBeUndefined();
    expect(textCarriesPassword(reason)).toBe(false);
  });

  it("ticket IDs, commit hashes and URLs of any content pass", () => {
    const ticket = fc
      .tuple(fc.constantFrom("INC", "CHG", "OPS", "SR"), fc.integer({ min: 1, max: 9_999_999 }))
      .map(([p, n]) => `${p}-${n}`);
    const commit = fc.tuple(chars(HEX, 40), fc.boolean()).map(([h, up]) => (up ? h.toUpperCase() : h));
    const url = fc.webUrl({ withQueryParameters: true, withFragments: true });
    fc.assert(
      fc.property(
        fc.array(fc.oneof(ticket, commit, url, fc.lorem({ maxCount: 3 })), { maxLength: 5 }),
        (parts) => {
          const reason = parts.join(" ");
          expect(credentialInText(reason), reason).toBeUndefined();
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("every free text an operator types follows the one rule", () => {
  // A rejection reason is on the card, in the rejecter's reply, the audit log and the logs, like a `--reason`.
  it("a rejection reason is refused exactly when a --reason is, naming the kind and never the value", () => {
    fc.assert(
      fc.property(around(credential), (reason) => {
        const error = validateRejectReason(reason)?.reason ?? "";
        expect(error, reason).toContain(`looks like ${secretInText(reason)}`);
        for (const word of reason.split(/\s+/).filter((w) => w.length >= 16))
          expect(error).not.toContain(word.slice(-12));
      }),
      { numRuns: 200 },
    );
    expect(validateRejectReason("no, use the root password is hunter2")?.reason).toContain("a password");
    for (const reason of ordinary) expect(validateRejectReason(reason), reason).toBeUndefined();
  });

  it("a secret is named first, even in a reason too long to take", () => {
    const reason = `${"x ".repeat(600)} xoxb-1111111111-2222222222-AbCdEfGhIjKlMnOpQrStUvWx`;
    expect(validateRejectReason(reason)?.reason).toContain("a Slack token");
  });
});

describe("redactCredentials (for a logged command line)", () => {
  it("leaves no credential, and ordinary text as it was", () => {
    fc.assert(
      fc.property(around(credential), (reason) => {
        const redacted = redactCredentials(reason);
        expect(credentialInText(redacted), redacted).toBeUndefined();
        expect(redacted).toContain("[redacted]");
      }),
      { numRuns: 300 },
    );
    const plain =
      "INC-12345 revert 3f2a9c0e1b7d4a6f8e5c2b1a0d9f8e7c6b5a4d3e see https://jira.example.com/browse/OPS-1";
    expect(redactCredentials(plain)).toBe(plain);
  });
});
