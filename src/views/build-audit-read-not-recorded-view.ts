import { type Message, md } from "../render/message-model.js";
import { buildNoticeView } from "./build-notice-view.js";

/**
 * A read of the audit log (`/ops audit`, a page of it, `verify`, `break-glass`) whose own audit entry could not
 * be written: nothing is shown, since every read of the audit is recorded (an auditor sees who looked).
 */
export function buildAuditReadNotRecordedView(): Message {
  return buildNoticeView(
    ":no_entry:",
    md`Not shown: every read of the audit log is recorded in it, and this one could not be recorded. Try again in a minute; if it keeps failing, ask the people who run hwc-chatops to check the bot's store.`,
  );
}
