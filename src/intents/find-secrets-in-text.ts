import { type IntentError, PASSWORD_NAME, PASSWORD_NAME_RE } from "./intent-schema.js";
import { failure, flagOf } from "./parse-arguments.js";
import type { Token } from "./tokenize.js";

/*
 * Secrets in what people type: a password's flag or `key=value`, and credentials (tokens, keys) in free text
 * (reasons, rejection reasons), refused before anything is stored or shown, with words that never repeat them.
 */

/**
 * Whether a token carries a password: a flag (`--password x`, `--adminpass=x`) or a `key=value` pair
 * (`password=x`) named like one. The grammar refuses such a command before anything else reads it.
 */
export function carriesPassword(token: Token): boolean {
  if (token.mention) return false;
  const flag = flagOf(token);
  if (flag !== undefined) return PASSWORD_NAME_RE.test(flag.replace(/^-+/, "").split("=")[0] ?? "");
  // Quoted or not: a quoted `"password"=x` or `"--password"` must not slip through and be echoed in an
  // error; nor `password:x`, the way a password is often written down.
  const text = token.text.trim();
  if (/^[-\u2013\u2014]{1,2}/.test(text) && PASSWORD_NAME_RE.test(text.replace(/^[-\u2013\u2014]{1,2}/, "")))
    return true;
  const sep = text.search(/[=:]/);
  return (
    sep > 0 &&
    PASSWORD_NAME_RE.test(
      text
        .slice(0, sep)
        .trim()
        .replace(/^[-\u2013\u2014]{1,2}/, ""),
    )
  );
}

/**
 * Whether free text (a `--reason`, a `--break-glass` reason) carries a secret: a password the way a command
 * would give one, `--password x`, `password=x`, `adminPass: x`, or the way a sentence does, `the root password
 * is x` (the word alone, "the password rotation failed", is no password; "the password is expired" is refused
 * too, and can be put another way); or a credential ({@link credentialInText}). Such text is refused: a reason
 * is shown to every approver and kept in the audit log and the logs. {@link secretInTextRefused} says which.
 */
export function textCarriesPassword(text: string): boolean {
  return secretInText(text) !== undefined;
}

/**
 * The one rule for every free text an operator types that the bot shows or keeps (a `--reason`, a
 * `--break-glass` reason, a rejection reason): what secret it seems to hold, in words for the refusal (never
 * the value), or undefined when it holds none. A password written the way {@link textCarriesPassword} says
 * is named as one even beside a credential (the refusal then says to put it another way if it is none).
 */
export function secretInText(text: string): CredentialKind | "a password" | undefined {
  if (PASSWORD_IN_TEXT_RE.test(text)) return "a password";
  return credentialInText(text);
}

/** What kind of credential a text holds, in words for the refusal (never the value). */
export type CredentialKind =
  | "a Slack token"
  | "a Slack webhook URL"
  | "a GitHub token"
  | "an access key ID"
  | "an access key pair (AK/SK)"
  | "a secret key"
  | "a bearer token"
  | "an Authorization header"
  | "a JSON Web Token"
  | "a private key"
  | "a URL with a password";

/** Not part of a longer word of letters and digits (`_` and `-` count as word characters for tokens). */
const B = "(?<![A-Za-z0-9_-])";
const E = "(?![A-Za-z0-9_-])";
/**
 * Credentials by shape, each precise enough that ordinary reasons (ticket IDs like `INC-12345`, URLs, commit
 * hashes of 40 hex digits, server IDs, dates) never match:
 * - Slack tokens `xoxb-`/`xoxp-`/`xoxa-`/`xoxo-`/`xoxr-`/`xoxs-`/`xoxe-`/`xoxe.xoxp-`/`xapp-` with 10+ more
 *   characters, and incoming-webhook URLs (`hooks.slack.com/services|workflows|triggers/…`);
 * - GitHub tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` + 30 or more, `github_pat_…`);
 * - access key IDs of AWS (`AKIA`, `ASIA`… + 16 upper-case letters or digits);
 * - a Huawei Cloud AK (20 upper-case letters and digits, letters among them) in the same text as a 40-character
 *   secret of letters and digits (an SK, or any 40-character value: a pair is refused whole);
 * - a lone secret key as AWS and Huawei Cloud make them: 40 characters of letters, digits, `/` and `+` with
 *   upper-case, lower-case and digits all present (a commit hash, 40 hex digits of one case, is not one);
 * - a labelled key: `sk=`, `ak=`, `secret=`, `secret_key:`, `access_key=`, `api_key=`, `apikey=`, `token=`,
 *   `access_token=`, `client_secret=`, `private_key=` (any case, `=` or `:`) followed by 16 or more token
 *   characters with a letter and a digit among them (`token: expired` stays a reason);
 * - `Bearer <16+ token characters>`, `Authorization: Basic|Digest|Token|ApiKey <8+ characters>`
 *   (`Authorization: pending` stays a reason);
 * - JSON Web Tokens (`eyJ….eyJ….…`);
 * - private key blocks (`-----BEGIN … PRIVATE KEY-----`, PGP's `PRIVATE KEY BLOCK` too);
 * - URLs carrying a password (`https://user:secret@host`).
 * Not caught: secrets of no recognisable shape (a bare random word); the `--reason` help says not to paste any.
 */
const CREDENTIAL_PATTERNS: readonly (readonly [CredentialKind, RegExp])[] = [
  ["a Slack token", new RegExp(`${B}(?:xox[abeoprs]|xoxe\\.xox[a-z]|xapp)-[A-Za-z0-9-]{10,}`)],
  ["a Slack webhook URL", /hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9]/i],
  ["a GitHub token", new RegExp(`${B}(?:gh[opusr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})`)],
  ["an access key ID", new RegExp(`${B}(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}${E}`)],
  ["a private key", /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/],
  ["a JSON Web Token", new RegExp(`${B}eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*`)],
  ["a bearer token", /(?<![A-Za-z])bearer\s+[A-Za-z0-9\-._~+/]{16,}=*/i],
  [
    "an Authorization header",
    /(?<![A-Za-z])authorization\s*[:=]\s*(?:basic|digest|token|apikey)\s+[A-Za-z0-9+/=._~-]{8,}/i,
  ],
  // The userinfo of an authority (RFC 3986): before any `/`, `?` or `#`.
  ["a URL with a password", /[a-z][a-z0-9+.-]*:\/\/[^\s/?#:@]+:[^\s/?#@]+@[^\s/?#@]/i],
  [
    "a secret key",
    /(?<![A-Za-z0-9])(?:sk|ak|secret|secret[_-]?key|access[_-]?key(?:[_-]?id)?|api[_-]?key|apikey|(?:access[_-]?)?token|client[_-]?secret|private[_-]?key)["']?\s*[=:]\s*["']?(?=[A-Za-z0-9_\-./+=]{0,200}[0-9])(?=[A-Za-z0-9_\-./+=]{0,200}[A-Za-z])[A-Za-z0-9_\-./+=]{16,}/i,
  ],
];
/** 20 upper-case letters and digits with a letter among them: the shape of a Huawei Cloud AK. */
const HUAWEI_AK_RE = new RegExp(`${B}(?=[A-Z0-9]{0,19}[A-Z])[A-Z0-9]{20}${E}`);
/** 40 letters and digits: the shape of a Huawei Cloud SK (and of a commit hash, hence only beside an AK). */
const FORTY_RE = new RegExp(`${B}[A-Za-z0-9]{40}${E}`);
/** A lone SK: 40 of letters, digits, `/`, `+`, with upper-case, lower-case and a digit. */
const LONE_SK_RE =
  /(?<![A-Za-z0-9/+_-])(?=[A-Za-z0-9/+]{0,39}[A-Z])(?=[A-Za-z0-9/+]{0,39}[a-z])(?=[A-Za-z0-9/+]{0,39}[0-9])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+_-])/;

/** The first kind of credential `text` holds, or undefined. */
export function credentialInText(text: string): CredentialKind | undefined {
  for (const [kind, re] of CREDENTIAL_PATTERNS) if (re.test(text)) return kind;
  if (HUAWEI_AK_RE.test(text) && FORTY_RE.test(text)) return "an access key pair (AK/SK)";
  if (LONE_SK_RE.test(text)) return "a secret key";
  return undefined;
}

/**
 * `text` with every credential {@link credentialInText} finds replaced by `[redacted]`, for a line that may be
 * logged (a command as received): the shapes above, an AK and its SK both.
 */
export function redactCredentials(text: string): string {
  let out = text;
  for (const [, re] of CREDENTIAL_PATTERNS)
    out = out.replace(new RegExp(re.source, `${re.flags}g`), "[redacted]");
  if (HUAWEI_AK_RE.test(out) && FORTY_RE.test(out)) {
    for (const re of [HUAWEI_AK_RE, FORTY_RE]) out = out.replace(new RegExp(re.source, "g"), "[redacted]");
  }
  return out.replace(new RegExp(LONE_SK_RE.source, "g"), "[redacted]");
}

/**
 * The refusal of free text carrying a secret ({@link textCarriesPassword}): a password's, or one naming the
 * kind of credential found. It never repeats the text.
 */
export function secretInTextRefused(text: string): { ok: false; error: IntentError } {
  const kind = secretInText(text);
  if (kind === undefined || kind === "a password") return passwordRefused();
  return failure(
    "password_not_allowed",
    `The reason holds what looks like ${kind}. The bot never takes a credential in chat: a reason is shown to every approver and kept in the audit log. ` +
      "Nothing was done. Give the reason without it (name the key or the ticket instead); rotate the credential if it was real, and delete the message if Slack kept it.",
  );
}

const PASSWORD_IN_TEXT_RE = new RegExp(
  `(?:^|[\\s,"'\u2018\u2019\u201c\u201d])(?:[-\u2013\u2014]{1,2}${PASSWORD_NAME}(?![\\p{L}\\p{N}])|${PASSWORD_NAME}\\s*[=:]|${PASSWORD_NAME}\\s+is\\s+\\S)`,
  "iu",
);

/** The refusal of a command carrying a password: it names no value, so the password is never repeated. */
export function passwordRefused(): { ok: false; error: IntentError } {
  return failure(
    "password_not_allowed",
    "The bot never takes a password in chat: anything typed here stays in the channel's history. " +
      "Reinstalling or changing the OS uses a key pair: `--keypair <name>`, or the server's own key pair when you name none. " +
      "Nothing was done; delete the message with the password if Slack kept it.",
  );
}
