/**
 * Slack's error codes that mean "this token is refused" (wrong, revoked, expired, of the wrong kind, or its
 * workspace or user is gone): no retry fixes them, only another token does.
 */
export const REJECTED_TOKEN_ERRORS: ReadonlySet<string> = new Set([
  "invalid_auth",
  "not_authed",
  "token_revoked",
  "token_expired",
  "account_inactive",
  "not_allowed_token_type",
  "team_disabled",
  "user_removed_from_team",
]);
