import type { FakeSlackChange, FakeSlackEphemeral, FakeSlackMessage, FakeSlackView } from "../slack/index.js";

/** What the page is told over SSE: the record after the change (the page replaces its copy). */
export type PageEvent =
  | { type: "message"; message: FakeSlackMessage }
  | { type: "ephemeral"; ephemeral: FakeSlackEphemeral }
  | { type: "view"; view: { id: string; user?: string; view: Record<string, unknown> } }
  /** A user's Home tab as the bot last published it. */
  | { type: "home"; home: { id: string; user: string; view: Record<string, unknown> } }
  | { type: "reset" };

/** Maps a change of the fake Slack to a page event; calls, responses and Socket Mode traffic are not shown. */
export function toPageEvent(change: FakeSlackChange): PageEvent | undefined {
  switch (change.type) {
    case "message_posted":
    case "message_updated":
    case "message_deleted":
      return { type: "message", message: change.message };
    case "ephemeral_posted":
    case "ephemeral_updated":
    case "ephemeral_deleted":
      return { type: "ephemeral", ephemeral: change.ephemeral };
    case "view_opened":
    case "view_pushed":
    case "view_updated":
      return { type: "view", view: pageView(change.view) };
    case "home_published":
      return { type: "home", home: { id: change.home.id, user: change.home.user, view: change.home.view } };
    case "reset":
      return { type: "reset" };
    default:
      return undefined;
  }
}

function pageView(view: FakeSlackView): { id: string; user?: string; view: Record<string, unknown> } {
  return { id: view.id, ...(view.user !== undefined ? { user: view.user } : {}), view: view.view };
}
