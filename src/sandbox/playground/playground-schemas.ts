import { z } from "zod";

/** Request bodies of the playground's HTTP API (the page is the only intended client). */

const userId = z.string().regex(/^[UW][A-Z0-9_]{1,40}$/, "a Slack user ID");
const channelId = z.string().regex(/^[CDG][A-Z0-9_]{1,40}$/, "a Slack channel ID");
const ts = z.string().regex(/^\d{1,12}\.\d{1,6}$/, "a Slack message ts");
const viewId = z.string().regex(/^V[A-Za-z0-9_]{1,40}$/, "a Slack view ID");

/** `POST /api/command`: what was typed in the composer (a slash command or a plain message). */
export const commandBody = z.strictObject({
  user: userId,
  channel: channelId,
  text: z.string().trim().min(1).max(4_000),
  /** Plain messages typed in the thread pane go into that thread. */
  threadTs: ts.optional(),
});

const selectedOption = z.strictObject({
  value: z.string().min(1).max(150),
  text: z.string().max(200).optional(),
});

/** `POST /api/action`: a click on a button or a choice in a static select of a message or modal. */
export const actionBody = z
  .strictObject({
    user: userId,
    channel: channelId.optional(),
    messageTs: ts.optional(),
    /** For elements inside a modal instead of a message. */
    viewId: viewId.optional(),
    actionId: z.string().min(1).max(255),
    /** Accepted for the page's convenience but not trusted: the value sent to the bot is the stored element's. */
    value: z.string().max(2_000).optional(),
    selectedOption: selectedOption.optional(),
  })
  .refine((b) => b.viewId !== undefined || (b.channel !== undefined && b.messageTs !== undefined), {
    message: "either viewId, or channel and messageTs",
  });

const inputValue = z.union([z.string().max(3_000), z.strictObject({ selectedOption })]);

/** `POST /api/view-submission`: the modal's inputs as `{ [block_id]: { [action_id]: value } }`. */
export const viewSubmissionBody = z.strictObject({
  user: userId,
  viewId,
  values: z.record(z.string().min(1).max(255), z.record(z.string().min(1).max(255), inputValue)),
});

/** `POST /api/view-close`: the modal's Cancel / ✕. */
export const viewCloseBody = z.strictObject({ user: userId, viewId });

/** `POST /api/home-opened`: the user opens the app's Home tab. */
export const homeOpenedBody = z.strictObject({ user: userId });

/** `PUT /api/cloud/latency`. */
export const latencyBody = z.strictObject({ ms: z.number().int().min(0).max(60_000) });

/** `POST /api/cloud/fail-next-job`: the whole next job, or only its sub-job for one server. */
export const failNextJobBody = z.strictObject({ server: z.string().min(1).max(255).optional() });

export type CommandBody = z.infer<typeof commandBody>;
export type ActionBody = z.infer<typeof actionBody>;
export type ViewSubmissionBody = z.infer<typeof viewSubmissionBody>;
