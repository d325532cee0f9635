import type { Actor, ChatPort } from "../app/ports.js";
import type { ApprovalService } from "../approvals/approval-service.js";
import type { PolicyReadIntent } from "../commands/types.js";
import type { Logger } from "../log/create-logger.js";
import type { Policy } from "../policy/types.js";
import { header, type Message } from "../render/message-model.js";
import type { Clock, Store } from "../store/store.js";
import { StoreUnavailableError } from "../store/store-unavailable-error.js";
import type { HomePart } from "../views/build-home-withheld-view.js";
import { buildStoreUnavailableView } from "../views/build-store-unavailable-view.js";
import { buildHomeView, MAX_HOME_MINE, MAX_HOME_SCHEDULED, MAX_HOME_WAITING } from "./build-home-view.js";
import type { CancellersOf } from "./cancel-approvers-of.js";
import { createLatestRunner } from "./create-latest-runner.js";
import { createReadPolicy } from "./create-policy-gates.js";
import { listActionableApprovals } from "./list-actionable-approvals.js";
import { readCardLinks } from "./read-card-links.js";
import { readRunningJobs } from "./read-running-jobs.js";

export interface HomePublisherDeps {
  approvals: ApprovalService;
  /** Who besides the requester may cancel a scheduled change (listed with its Cancel for them). */
  cancellersOf?: (chat: ChatPort) => CancellersOf;
  store: Store;
  clock: Clock;
  logger: Logger;
  /**
   * The policy now: it decides which parts of the tab the viewer may read (as the commands showing the same
   * would be), and the scheduled changes' starts are judged on its calendars.
   */
  policy: () => Policy;
}

/** Each part of the tab and the command it is decided as: what the tab shows, that command shows too. */
const PART_INTENTS: Readonly<Record<HomePart, PolicyReadIntent>> = {
  requests: { type: "ops.approvals" },
  running: { type: "ops.jobs" },
  help: { type: "help", topic: { command: "ops" } },
};

/**
 * The Home tab is in no channel: each part is decided as its command typed by the viewer where no channel rule
 * applies (a rule limited to channels, or an `allowed_channels` list, does not grant it).
 */
const NO_CHANNEL = "";

export interface HomePublisher {
  /**
   * Builds the user's Home tab from the store now (their groups read from the chat now, as a click would) and
   * publishes it; `notice` is shown at the top (the answer to their last click there). Publishes for one user
   * never overlap: one asked for while another runs makes it run once more afterwards with the newest state
   * (and the newest notice). Resolves when that publish is done; never rejects (failures are logged). When the
   * state store is unreachable the tab says so instead.
   */
  publish(viewer: Actor, chat: ChatPort, notice?: Message): Promise<void>;
  /** Resolves when no publish is going on. */
  idle(): Promise<void>;
}

/** The Home tab (`app_home_opened`, and again after a decision taken there). */
export function createHomePublisher(deps: HomePublisherDeps): HomePublisher {
  const { approvals, store, clock } = deps;
  const logger = deps.logger.child({ component: "home" });
  const wanted = new Map<string, { viewer: Actor; chat: ChatPort; notice?: Message }>();

  /**
   * The parts the read policy refuses the viewer now. Deny by default: a part is shown only when its command
   * is allowed; nothing of a refused part is read.
   */
  async function withheldParts(viewer: Actor, chat: ChatPort): Promise<Set<HomePart>> {
    const readPolicy = createReadPolicy({ policy: deps.policy, chat: () => chat, clock });
    const withheld = new Set<HomePart>(Object.keys(PART_INTENTS) as HomePart[]);
    for (const [part, intent] of Object.entries(PART_INTENTS) as [HomePart, PolicyReadIntent][]) {
      const decision = await readPolicy(intent, {
        request: { actor: viewer, channelId: NO_CHANNEL },
        servers: [],
        chat,
      });
      if (decision.allowed) withheld.delete(part);
    }
    return withheld;
  }

  async function build(viewer: Actor, chat: ChatPort, notice: Message | undefined): Promise<Message> {
    const withheld = await withheldParts(viewer, chat);
    const now = clock.now();
    const notices = notice !== undefined ? { notice } : {};
    if (withheld.has("requests")) {
      const running = withheld.has("running") ? [] : await readRunningJobs(store, approvals);
      return buildHomeView({
        viewer: viewer.userId,
        waiting: [],
        mine: [],
        running,
        now,
        withheld,
        ...notices,
      });
    }
    const groups = await chat.userGroupsOf(viewer.userId);
    const { waiting, mine, scheduled, starts } = await listActionableApprovals(
      approvals,
      { ...viewer, groups },
      now,
      deps.cancellersOf?.(chat),
      deps.policy(),
    );
    const running = withheld.has("running") ? [] : await readRunningJobs(store, approvals);
    const shown = [
      ...waiting.slice(0, MAX_HOME_WAITING),
      ...mine.slice(0, MAX_HOME_MINE),
      ...scheduled.slice(0, MAX_HOME_SCHEDULED),
    ];
    const links = await readCardLinks(chat, shown, logger);
    const linked = (request: (typeof shown)[number]) => {
      const url = links.get(request.id);
      return url === undefined ? { request } : { request, link: url };
    };
    return buildHomeView({
      viewer: viewer.userId,
      waiting: waiting.map(linked),
      mine: mine.map(linked),
      scheduled: scheduled.map((r) => {
        const start = starts.get(r.id);
        return { ...linked(r), ...(start !== undefined && { start }) };
      }),
      running,
      now,
      withheld,
      ...notices,
    });
  }

  const runner = createLatestRunner(
    async (userId) => {
      const next = wanted.get(userId);
      if (next === undefined) return;
      wanted.delete(userId);
      let view: Message;
      try {
        view = await build(next.viewer, next.chat, next.notice);
      } catch (error) {
        if (!(error instanceof StoreUnavailableError)) throw error;
        logger.warn({ err: error, user: userId }, "the state store is unavailable: the Home tab says so");
        view = {
          text: "hwc-chatops",
          blocks: [header("hwc-chatops"), ...buildStoreUnavailableView().blocks],
        };
      }
      await next.chat.publishHome(userId, view);
    },
    (error, userId) => logger.warn({ err: error, user: userId }, "could not publish the Home tab"),
  );

  return {
    publish(viewer, chat, notice) {
      const previous = wanted.get(viewer.userId);
      const keep = notice ?? previous?.notice;
      wanted.set(viewer.userId, { viewer, chat, ...(keep !== undefined && { notice: keep }) });
      return runner.run(viewer.userId);
    },
    idle: () => runner.idle(),
  };
}
