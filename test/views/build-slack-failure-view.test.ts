import { describe, expect, it } from "vitest";
import { buildSlackFailureView } from "../../src/views/build-slack-failure-view.js";
import { collectMrkdwn } from "../render/block-kit-test-helpers.js";
import { expectHarmless, render } from "./view-test-helpers.js";

const text = (m: ReturnType<typeof render>) => collectMrkdwn(m.kit).join("\n");

describe("a Slack call that failed, in the requester's words", () => {
  it("the requester's groups could not be read: what failed, that nothing was done, never another channel", async () => {
    const shown = render(buildSlackFailureView({ method: "usergroups.list", code: "http_503" }));
    expectHarmless(shown.kit);
    expect(text(shown)).toContain(
      "I could not read your Slack user groups (Slack answered 503), which the policy needs to decide this request: nothing was done. Try again in a moment.",
    );
    expect(text(shown)).not.toContain("another channel");
    await expect(shown.golden).toMatchFileSnapshot("golden/slack-failure-user-groups.json");
  });

  it("a time zone, a form, a message: each says what failed; the app's access is for its operators", async () => {
    expect(text(render(buildSlackFailureView({ method: "users.info", code: "request_error" })))).toContain(
      "I could not read your time zone from your Slack profile (Slack could not be reached)",
    );
    expect(text(render(buildSlackFailureView({ method: "views.open", code: "http_500" })))).toContain(
      "I could not open the form (Slack answered 500): nothing was done.",
    );
    const post = render(buildSlackFailureView({ method: "chat.postMessage", code: "http_503" }));
    // The bot cannot tell whether the message answered a change: it says where to check, never "nothing changed".
    expect(text(post)).toContain(
      "Slack did not take my message (Slack answered 503), so you may have missed my answer. If you asked for a change, check `/ops approvals` and `/ops jobs` before asking again; otherwise try again in a moment.",
    );
    expect(
      text(
        render(
          buildSlackFailureView({
            method: "chat.postMessage",
            code: "http_503",
            onlyRead: true,
          }),
        ),
      ),
    ).toContain(
      "Slack did not take my message (Slack answered 503). It was only a read, so nothing was changed. Try again in a moment.",
    );
    expect(text(post)).not.toContain("another channel");
    await expect(post.golden).toMatchFileSnapshot("golden/slack-failure-message.json");
    expect(
      text(render(buildSlackFailureView({ method: "usergroups.list", code: "missing_scope" }))),
    ).toContain(
      "(Slack answered `missing_scope`), which the policy needs to decide this request: nothing was done. Ask the people who run hwc-chatops to check the app's Slack access.",
    );
  });

  it("a refusal about the channel keeps its own advice, naming the bot by its user ID when known", () => {
    const shown = text(
      render(
        buildSlackFailureView({ method: "chat.postMessage", code: "not_in_channel", botUserId: "U_MYBOT" }),
      ),
    );
    expect(shown).toContain("Invite me with `/invite` <@U_MYBOT> and try again.");
    expect(
      text(render(buildSlackFailureView({ method: "chat.postMessage", code: "not_in_channel" }))),
    ).toContain("Invite me with `/invite @hwc-chatops` and try again.");
    expect(
      text(render(buildSlackFailureView({ method: "chat.postMessage", code: "restricted_action" }))),
    ).toContain("use another channel");
  });
});
