import type { ChatPort } from "../../app/ports.js";
import type { CommandRouter } from "../../commands/create-command-router.js";
import type { HomeHandler } from "../../commands/types.js";
import type { Logger } from "../../log/create-logger.js";
import type { Message } from "../../render/message-model.js";

/** `first`: handle it; `repeat`: a redelivery, already handled; `unavailable`: the store cannot say (fail closed). */
export type DeliveryClaim = "first" | "repeat" | "unavailable";

/** What the thin Slack listeners delegate to. */
export interface ListenerDeps {
  router: CommandRouter;
  chat: ChatPort;
  logger: Logger;
  /**
   * Runs the work that follows an ack through the bounded work queue (shutdown waits for it). False: the
   * queue is full and the work will not run; the listener tells the user {@link busy} where it can.
   */
  enqueue(work: () => Promise<void>): boolean;
  /** Told to the user whose request was turned away because the work queue is full. */
  busy?: Message;
  /**
   * Claims a delivery by its dedupe key (`delivery-keys.ts`), across replicas: only a `first` is handled.
   * Absent: every delivery is handled.
   */
  claimDelivery?(key: string): Promise<DeliveryClaim>;
  /** Told to the user when a delivery cannot be claimed because the state store is unavailable. */
  storeUnavailable?: Message;
  /** Publishes the Home tab of a user who opened it; absent: `app_home_opened` is ignored. */
  home?: HomeHandler;
  /**
   * Slack announced that a user group changed (members, handle, a new group): the kept groups are read again
   * for the next decision. Absent: the events are ignored.
   */
  forgetUserGroups?(): Promise<void>;
}
