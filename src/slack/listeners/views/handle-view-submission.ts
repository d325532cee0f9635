import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from "@slack/bolt";
import { admitDelivery, enqueueOrTellBusy } from "../admit-delivery.js";
import { viewDeliveryKey } from "../delivery-keys.js";
import type { ListenerDeps } from "../listener-deps.js";
import { toViewSubmission } from "./to-view-submission.js";

/**
 * A modal submission: the registered handler's (fast, pure) validation decides the ack (errors keep the
 * modal open), then the handler runs after the ack.
 */
export function handleViewSubmission(deps: ListenerDeps) {
  return async ({
    ack,
    view,
    body,
  }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const submission = toViewSubmission(view, {
      userId: body.user.id,
      teamId: body.user.team_id ?? body.team?.id ?? "",
    });
    const errors = deps.router.validateView(submission);
    if (errors !== undefined && Object.keys(errors).length > 0) {
      await ack({ response_action: "errors", errors });
      return;
    }
    await ack();
    // A modal has no response_url: when the store is unavailable or the bot busy the log says so, the card
    // stays unchanged.
    await enqueueOrTellBusy(
      deps,
      async () => {
        if (!(await admitDelivery(deps, viewDeliveryKey(body), undefined))) return;
        await deps.router.handleView(submission);
      },
      undefined,
    );
  };
}
