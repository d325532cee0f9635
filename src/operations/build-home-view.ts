import type { ApprovalRequest } from "../approvals/approval-request.js";
import { plural } from "../render/escape-mrkdwn.js";
import {
  actions,
  code,
  context,
  divider,
  header,
  type ListItem,
  link,
  list,
  localTime,
  type Message,
  md,
  type Part,
  type Span,
  section,
} from "../render/message-model.js";
import { rendersWhole, VIEW_RENDER_OPTIONS } from "../render/render-block-kit.js";
import { buildHomeWithheldPart, type HomePart } from "../views/build-home-withheld-view.js";
import { formatElapsed, nameList } from "../workflow/format-flow-text.js";
import { describeListedRequest } from "./build-approval-list-view.js";
import { describeRunningNow, type RunningJob, runSubtitle } from "./build-jobs-view.js";
import { cardButtons } from "./build-request-card.js";
import { describeProgress, describeWhat } from "./describe-request.js";
import type { StartNow } from "./judge-start-now.js";

/** A request with the link to its card, when there is one. */
export interface LinkedRequest {
  request: ApprovalRequest;
  link?: string;
  /** A scheduled change's start as judged now (`judgeStartNow`); absent: as asked. */
  start?: StartNow;
}

export interface HomeViewInput {
  /** The user whose Home tab this is. */
  viewer: string;
  /** Requests the viewer may approve now, oldest first. */
  waiting: readonly LinkedRequest[];
  /** The viewer's own open requests (pending, approved, executing), oldest first. */
  mine: readonly LinkedRequest[];
  /** Scheduled changes waiting for their time that the viewer asked for or may approve, soonest first. */
  scheduled?: readonly LinkedRequest[];
  running: readonly RunningJob[];
  now: number;
  /** What became of the viewer's last click on this tab (the same answer the card's click gives). */
  notice?: Message;
  /**
   * The parts the read policy does not let the viewer read: each is one line saying so, never its content (the
   * publisher then passes no data for it either). Absent: every part is shown.
   */
  withheld?: ReadonlySet<HomePart>;
}

/** Requests listed per section: the tab holds at most 100 blocks and each request takes two. */
export const MAX_HOME_WAITING = 15;
export const MAX_HOME_MINE = 10;
export const MAX_HOME_RUNNING = 20;
export const MAX_HOME_SCHEDULED = 10;

/** `waiting for approvals: 1 of 2 (@bob)`, `approved, starting`, `running`. */
function statusOf(request: ApprovalRequest): Span[] {
  switch (request.status) {
    case "pending":
      return md`waiting: ${describeProgress(request)}`;
    case "approved":
      return md`approved, starting`;
    case "executing":
      return md`running: follow it in the request's thread`;
    default:
      return md`${request.status.replace("_", " ")}`;
  }
}

/**
 * What a section leaves out, and how to reach it: the lists here and in `/ops approvals` are both oldest first
 * and bounded, so neither "lists them"; the next ones appear as these are decided.
 */
function more(count: number, shown: number): Part[] {
  return count > shown
    ? [
        context(
          md`…and ${String(count - shown)} more not shown here. The oldest are listed first: the next ones appear as these are decided (or open the cards in their channels).`,
        ),
      ]
    : [];
}

/**
 * The app's Home tab for one user: the requests waiting for their approval (Approve / Reject, the same buttons
 * and checks as the card), their own open requests (Cancel while pending), the operations running now, and how
 * to use the bot. Pure; at most 100 blocks.
 */
export function buildHomeView(input: HomeViewInput): Message {
  // As many waiting requests as fit whole: the renderer would otherwise cut the tab (and its "…and N more").
  let shown = Math.min(input.waiting.length, MAX_HOME_WAITING);
  let view = composeHomeView(input, shown);
  while (shown > 1 && !rendersWhole(view, VIEW_RENDER_OPTIONS)) view = composeHomeView(input, --shown);
  return view;
}

function composeHomeView(input: HomeViewInput, waitingShown: number): Message {
  const blocks: Part[] = [
    header("hwc-chatops"),
    context(
      md`Updated ${localTime(input.now)}. This tab is refreshed each time you open it and after each click here.`,
    ),
  ];
  if (input.notice !== undefined) blocks.push(...input.notice.blocks);

  // One running index over the whole tab keeps every button's action ID unique in the view.
  let index = 0;
  const withheld = input.withheld ?? new Set<HomePart>();
  if (withheld.has("requests")) blocks.push(...buildHomeWithheldPart("requests"));
  else index = pushRequests(blocks, input, waitingShown, index);

  if (withheld.has("running")) blocks.push(...buildHomeWithheldPart("running"));
  else pushRunning(blocks, input);

  if (withheld.has("help")) blocks.push(...buildHomeWithheldPart("help"));
  else pushHelp(blocks);

  // The notification's text says only what the tab shows.
  const counts = [
    ...(withheld.has("requests")
      ? []
      : [
          `${String(input.waiting.length)} waiting for your approval`,
          plural(input.mine.length, "open request"),
        ]),
    ...(withheld.has("running") ? [] : [`${String(input.running.length)} running`]),
  ];
  return { text: counts.length === 0 ? "hwc-chatops" : md`${counts.join(" · ")}`, blocks };
}

/** The requests waiting for the viewer's approval, their own open ones, the scheduled ones; the next index. */
function pushRequests(blocks: Part[], input: HomeViewInput, waitingShown: number, start: number): number {
  let index = start;
  blocks.push(
    divider(),
    section({ text: md`*Waiting for your approval* (${String(input.waiting.length)})` }),
  );
  if (input.waiting.length === 0) blocks.push(context(md`Nothing is waiting for your approval.`));
  for (const { request, link: cardLink } of input.waiting.slice(0, waitingShown)) {
    const own = request.requester.userId === input.viewer;
    blocks.push(section({ text: describeListedRequest(request, cardLink) }));
    blocks.push(actions(...cardButtons(request, index++, { approve: true, reject: true, cancel: own })));
  }
  blocks.push(...more(input.waiting.length, waitingShown));

  blocks.push(divider(), section({ text: md`*Your open requests* (${String(input.mine.length)})` }));
  if (input.mine.length === 0) blocks.push(context(md`You have no open requests.`));
  for (const { request, link: cardLink } of input.mine.slice(0, MAX_HOME_MINE)) {
    blocks.push(
      section({
        text: md`${describeWhat(request)}\n${code(request.commandText)} · ${statusOf(request)}${
          cardLink !== undefined ? md` · ${link(cardLink, "Open the card")}` : md``
        }`,
      }),
    );
    if (request.status === "pending")
      blocks.push(actions(...cardButtons(request, index++, { approve: false, reject: false, cancel: true })));
  }
  blocks.push(...more(input.mine.length, MAX_HOME_MINE));

  // Shown only when there are some: most teams schedule little, and the tab stays short.
  const scheduled = input.scheduled ?? [];
  if (scheduled.length > 0) {
    blocks.push(divider(), section({ text: md`*Scheduled changes* (${String(scheduled.length)})` }));
    for (const { request, link: cardLink, start } of scheduled.slice(0, MAX_HOME_SCHEDULED)) {
      blocks.push(section({ text: describeListedRequest(request, cardLink, start) }));
      blocks.push(actions(...cardButtons(request, index++, { approve: false, reject: false, cancel: true })));
    }
    blocks.push(...more(scheduled.length, MAX_HOME_SCHEDULED));
  }

  return index;
}

/** The operations running now. */
function pushRunning(blocks: Part[], input: HomeViewInput): void {
  blocks.push(divider(), section({ text: md`*Running now* (${String(input.running.length)})` }));
  if (input.running.length === 0) blocks.push(context(md`Nothing is running.`));
  else
    blocks.push(
      list(
        input.running.slice(0, MAX_HOME_RUNNING).map(
          (j): ListItem => ({
            title: md`:hourglass_flowing_sand: ${j.operation} ${plural(j.targetNames.length, "server")}`,
            // Who asked and the link to the thread stay whole: long names give way (`web-01 +5 more`).
            subtitle: runSubtitle(
              j,
              [describeRunningNow(j, input.now), md`for ${formatElapsed(input.now - j.startedAt)}`],
              (names, max) => md`${nameList(names, max)}`,
            ),
          }),
        ),
        { total: input.running.length, moreHint: md`${code("/ops jobs")} lists them all` },
      ),
    );
}

/** How to use the bot. */
function pushHelp(blocks: Part[]): void {
  blocks.push(
    divider(),
    section({
      text: md`*How to use hwc-chatops*\n• ${code("/ecs list")}, ${code("/ecs show web-01")}: find servers and their state\n• ${code(
        "/ecs stop web-01 web-02",
      )}: start, stop, reboot, resize, delete; what needs approval gets a card in the channel, to approve there or here\n• ${code(
        "/ops approvals",
      )}: what you may approve · ${code("/ops jobs")}: what runs now · ${code("/ops help")}: everything else`,
    }),
    context(
      md`Approve and Reject here are the card's own buttons: who may approve is checked when you click. Progress and results are in each request's thread.`,
    ),
  );
}
