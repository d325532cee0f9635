import { md, type Span } from "../render/message-model.js";

/**
 * Who approved a change the policy recorded the approval of (no person approved it): break-glass skipped
 * approval, or the policy needed none. The one wording of the audit (`/ops audit`) and of `/ops jobs`: a
 * break-glass change never reads as one the policy let through.
 */
export function describePolicyApproval(breakGlass: boolean): Span[] {
  return breakGlass ? md`break-glass (no approver)` : md`the policy (no approval needed)`;
}
