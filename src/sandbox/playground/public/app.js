// The playground page: a Slack-like channel view over the fake Slack, a user switcher, modals, and
// a panel of the simulated cloud. State comes from GET /api/state and stays current through SSE.
import { plainOf, renderAttachments, renderBlocks, renderText } from "./blocks.js";
import { append, clear, h } from "./dom.js";
import { renderMrkdwn } from "./mrkdwn.js";

const $ = (selector) => document.querySelector(selector);

const app = {
  me: localStorage.getItem("playground.user") ?? "U_ALICE",
  channel: localStorage.getItem("playground.channel") ?? "C_OPS",
  /** ts of the thread open in the side pane, or null. */
  threadTs: null,
  team: { name: "", domain: "" },
  bot: { userId: "U_BOT", name: "hwc-chatops" },
  users: [],
  groups: [],
  channels: [],
  hints: [],
  /** `${channel}/${ts}` → record */
  messages: new Map(),
  ephemerals: new Map(),
  /** Notices of this page itself (e.g. an unknown command), shown like Slackbot's. */
  notices: [],
  dismissed: new Set(),
  /** id → { id, user, view } */
  views: new Map(),
  /** user → { id, user, view }: each user's Home tab as the bot last published it. */
  homes: new Map(),
  /** Which tab of the app (its DM) is shown: "home" or "messages". */
  tab: localStorage.getItem("playground.tab") ?? "home",
  viewErrors: new Map(),
  unread: new Map(),
  cloud: null,
  cloudFilter: "",
  /** The message a permalink led to, shown marked until `until`: { key, until }. */
  highlight: null,
  /** Where to scroll once the next render has drawn it: { list: "#messages" | "#thread-messages", ts }. */
  focus: null,
  ready: false,
  /** True while a snapshot loads; events are held in `held` meanwhile. */
  loading: true,
  held: [],
};

// ---------------------------------------------------------------- helpers

const keyOf = (channel, ts) => `${channel}/${ts}`;

function compareTs(a, b) {
  const [as = "0", au = "0"] = String(a).split(".");
  const [bs = "0", bu = "0"] = String(b).split(".");
  return Number(as) - Number(bs) || Number(au) - Number(bu);
}

function nowTs() {
  const ms = Date.now();
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000).padStart(6, "0")}`;
}

function formatTime(ts) {
  const seconds = Number(String(ts).split(".")[0]);
  return new Date(seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

const userById = (id) => app.users.find((u) => u.id === id);
const channelById = (id) => app.channels.find((c) => c.id === id);

/** What mrkdwn needs to show mentions by name. */
const textCtx = {
  userName: (id) => (id === app.bot.userId ? app.bot.name : userById(id)?.name),
  channelName: (id) => channelById(id)?.name,
  groupName: (id) => app.groups.find((g) => g.id === id)?.handle,
};

function roleOf(user) {
  if (user.groups.includes("ops-approvers")) return "approver";
  if (user.isAdmin) return "admin";
  if (user.id === "U_ALICE") return "requester";
  // Not "outsider": the shipped policy lets anyone make some changes (a graceful stop, a lock).
  if (user.groups.length === 0) return "in no group";
  return user.groups.join(", ");
}

/** What the role means under the shipped policy (flows/policy.yml), for the switcher's tooltips. */
function roleNote(user) {
  if (user.groups.length === 0 && !user.isAdmin) {
    return "In no group: can make the changes the policy allows anyone (a graceful stop, a lock) and is refused what needs a group or an approval; cannot approve.";
  }
  if (user.groups.includes("ops-approvers")) return "Approver: can approve other people's requests.";
  return `Groups: ${user.groups.length > 0 ? user.groups.map((g) => `@${g}`).join(", ") : "none"}.`;
}

function channelLabel(channel) {
  return channel.isIm ? app.bot.name : `#${channel.name}`;
}

function visibleChannels() {
  return app.channels.filter((c) => c.members.includes(app.me) && (!c.isIm || c.user === app.me));
}

function avatar(id) {
  const isBot = id === app.bot.userId;
  const name = isBot ? app.bot.name : (userById(id)?.realName ?? id);
  let hash = 0;
  for (const ch of id) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const el = h("div", {
    class: `avatar${isBot ? " avatar-bot" : ""}`,
    text: isBot ? "HC" : name.slice(0, 1).toUpperCase(),
    attrs: { "aria-hidden": "true" },
  });
  if (!isBot) el.style.background = `hsl(${hash % 360} 55% 42%)`;
  return el;
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let json = {};
  try {
    json = await response.json();
  } catch {
    // Empty or non-JSON answer: keep {}.
  }
  return { ok: response.ok, status: response.status, json };
}

/** A notice from the page itself, shown to the current user only, like Slackbot's. */
function notice(channel, text, threadTs) {
  app.notices.push({ channel, ts: nowTs(), user: app.me, text, threadTs });
  scheduleRender();
}

// ---------------------------------------------------------------- state

/**
 * Takes a snapshot after the event stream is open, so nothing falls between the two: events arriving
 * while the snapshot loads are held back and replayed on top of it (each carries a whole record).
 */
async function loadState() {
  app.loading = true;
  const { json } = await api("GET", "/api/state");
  app.team = json.team;
  app.bot = json.bot;
  app.users = json.users;
  app.groups = json.groups ?? [];
  app.channels = json.channels;
  app.hints = json.hints;
  app.messages.clear();
  for (const m of json.messages) app.messages.set(keyOf(m.channel, m.ts), m);
  app.ephemerals.clear();
  for (const e of json.ephemerals) app.ephemerals.set(keyOf(e.channel, e.ts), e);
  app.views.clear();
  for (const v of json.views) app.views.set(v.id, v);
  app.homes.clear();
  for (const home of json.homes ?? []) app.homes.set(home.user, home);
  if (!userById(app.me)) app.me = app.users[0]?.id ?? "U_ALICE";
  if (!visibleChannels().some((c) => c.id === app.channel)) app.channel = visibleChannels()[0]?.id ?? "C_OPS";
  app.ready = true;
  app.loading = false;
  for (const event of app.held.splice(0)) applyEvent(event);
  renderUserSwitcher();
  scheduleRender();
  document.body.dataset.ready = "true";
  if (showsHome()) void openHome();
}

function applyEvent(event) {
  if (event.type === "message") {
    const m = event.message;
    const key = keyOf(m.channel, m.ts);
    const isNew = !app.messages.has(key);
    app.messages.set(key, m);
    if (isNew && m.channel !== app.channel && !m.deleted && (!m.threadTs || m.threadTs === m.ts)) {
      app.unread.set(m.channel, (app.unread.get(m.channel) ?? 0) + 1);
    }
  } else if (event.type === "ephemeral") {
    const e = event.ephemeral;
    app.ephemerals.set(keyOf(e.channel, e.ts), e);
  } else if (event.type === "view") {
    app.views.set(event.view.id, event.view);
    app.viewErrors.delete(event.view.id);
  } else if (event.type === "home") {
    app.homes.set(event.home.user, event.home);
  } else if (event.type === "view_closed") {
    app.views.delete(event.viewId);
    app.viewErrors.delete(event.viewId);
  } else if (event.type === "reset") {
    void loadState();
    return;
  }
  scheduleRender();
}

function connectEvents() {
  const source = new EventSource("/api/events");
  source.onmessage = (e) => {
    let event;
    try {
      event = JSON.parse(e.data);
    } catch (error) {
      console.error("playground: bad event", error);
      return;
    }
    if (app.loading) app.held.push(event);
    else applyEvent(event);
  };
  source.onerror = () => {
    $("#connection").hidden = false;
  };
  // On the first connection and after every reconnect (events may have been missed): a fresh snapshot.
  source.onopen = () => {
    $("#connection").hidden = true;
    void loadState();
  };
}

// ---------------------------------------------------------------- rendering

let renderPending = false;
function scheduleRender() {
  if (renderPending) return;
  renderPending = true;
  requestAnimationFrame(() => {
    renderPending = false;
    if (!app.ready) return;
    renderSidebar();
    renderChannel();
    renderThread();
    renderModal();
    applyFocus();
  });
}

function renderUserSwitcher() {
  const select = $("#user-switcher");
  clear(select);
  for (const user of app.users) {
    select.append(
      h("option", {
        value: user.id,
        text: `${user.realName} (@${user.name}) · ${roleOf(user)}`,
        title: roleNote(user),
      }),
    );
  }
  select.value = app.me;
  renderMe();
}

function renderMe() {
  const me = userById(app.me);
  const box = clear($("#me"));
  if (!me) return;
  append(box, [avatar(me.id), h("span", { class: "me-role", text: roleOf(me), title: roleNote(me) })]);
}

function renderSidebar() {
  $("#team-name").textContent = app.team.name;
  const list = clear($("#channel-list"));
  const dms = clear($("#dm-list"));
  for (const channel of visibleChannels()) {
    const unread = app.unread.get(channel.id) ?? 0;
    const item = h(
      "button",
      {
        type: "button",
        class: `channel-link${channel.id === app.channel ? " active" : ""}${unread > 0 ? " unread" : ""}`,
        data: { channel: channel.id },
        on: { click: () => selectChannel(channel.id) },
      },
      h("span", { class: "channel-hash", text: channel.isIm ? "●" : "#" }),
      h("span", { text: channel.isIm ? app.bot.name : channel.name }),
      unread > 0 ? h("span", { class: "badge-unread", text: String(unread) }) : null,
    );
    (channel.isIm ? dms : list).append(item);
  }
}

function selectChannel(id) {
  app.channel = id;
  app.threadTs = null;
  app.unread.delete(id);
  localStorage.setItem("playground.channel", id);
  scheduleRender();
  if (showsHome()) void openHome();
  else $("#composer").focus();
}

/** Whether the app's Home tab is what the main pane shows now. */
function showsHome() {
  return channelById(app.channel)?.isIm === true && app.tab === "home";
}

function selectTab(tab) {
  app.tab = tab;
  localStorage.setItem("playground.tab", tab);
  scheduleRender();
  if (tab === "home") void openHome();
  else $("#composer").focus();
}

/** Opening the Home tab is what Slack tells the bot (`app_home_opened`); the bot publishes it for this user. */
async function openHome() {
  const result = await api("POST", "/api/home-opened", { user: app.me });
  if (!result.ok) flash(result.json.message ?? `Opening the app failed (HTTP ${result.status}).`);
}

function renderHome() {
  const pane = $("#home");
  const home = app.homes.get(app.me);
  if (!home) {
    replaceList(pane, [h("div", { class: "home-loading", text: "Opening the Home tab…" })]);
    return;
  }
  const ctx = {
    ...textCtx,
    onAction: (element, _blockId, selected, control) =>
      runAction({ viewId: home.id, home: true }, element, selected, control),
  };
  pane.dataset.viewId = home.id;
  replaceList(pane, [renderBlocks(home.view.blocks, ctx)]);
}

/** Top-level items of a channel as the current user sees them, oldest first. */
function channelItems(channelId) {
  const items = [];
  for (const m of app.messages.values()) {
    if (m.channel !== channelId || m.deleted) continue;
    const isReply = m.threadTs !== undefined && m.threadTs !== m.ts;
    if (!isReply || m.replyBroadcast) items.push({ kind: "message", record: m });
  }
  for (const e of app.ephemerals.values()) {
    if (e.channel !== channelId || e.deleted || e.user !== app.me || e.threadTs) continue;
    if (app.dismissed.has(keyOf(e.channel, e.ts))) continue;
    items.push({ kind: "ephemeral", record: e });
  }
  for (const n of app.notices) {
    if (n.channel === channelId && n.user === app.me && !n.threadTs)
      items.push({ kind: "notice", record: n });
  }
  return items.sort((a, b) => compareTs(a.record.ts, b.record.ts));
}

function threadItems(channelId, parentTs) {
  const items = [];
  for (const m of app.messages.values()) {
    if (m.channel !== channelId || m.deleted) continue;
    if (m.ts === parentTs || m.threadTs === parentTs) items.push({ kind: "message", record: m });
  }
  for (const e of app.ephemerals.values()) {
    if (e.channel !== channelId || e.deleted || e.user !== app.me || e.threadTs !== parentTs) continue;
    if (app.dismissed.has(keyOf(e.channel, e.ts))) continue;
    items.push({ kind: "ephemeral", record: e });
  }
  for (const n of app.notices) {
    if (n.channel === channelId && n.user === app.me && n.threadTs === parentTs) {
      items.push({ kind: "notice", record: n });
    }
  }
  return items.sort((a, b) => compareTs(a.record.ts, b.record.ts));
}

function renderItem(item, place) {
  const r = item.record;
  if (item.kind === "notice") {
    return h(
      "div",
      { class: "msg msg-ephemeral msg-notice", data: { kind: "notice", ts: r.ts } },
      h("div", { class: "avatar avatar-slackbot", text: "✱" }),
      h(
        "div",
        { class: "msg-body" },
        h("div", { class: "msg-meta" }, h("span", { class: "msg-author", text: "Slackbot" })),
        h("div", { class: "msg-content", text: r.text }),
        ephemeralNote(() => {
          app.notices = app.notices.filter((n) => n !== r);
          scheduleRender();
        }),
      ),
    );
  }
  // Ephemerals always come from the bot; their `user` is the one person who sees them.
  const isBot = item.kind === "ephemeral" || r.user === app.bot.userId || r.botId !== undefined;
  const author = isBot ? app.bot.name : (userById(r.user)?.realName ?? r.user);
  const location = { channel: r.channel, ts: r.ts, threadTs: r.threadTs };
  const content = h("div", { class: "msg-content" });
  const ctx = {
    ...textCtx,
    onAction: (element, _blockId, selected, control) => runAction(location, element, selected, control),
  };
  if (Array.isArray(r.blocks) && r.blocks.length > 0) content.append(renderBlocks(r.blocks, ctx));
  else if (typeof r.text === "string") content.append(renderMrkdwn(r.text, textCtx));
  const attachments = renderAttachments(r.attachments, ctx);
  if (attachments) content.append(attachments);

  const highlighted = app.highlight?.key === keyOf(r.channel, r.ts) && Date.now() < app.highlight.until;
  const el = h(
    "div",
    {
      class: `msg${item.kind === "ephemeral" ? " msg-ephemeral" : ""}${highlighted ? " msg-highlight" : ""}`,
      data: { kind: item.kind, ts: r.ts, channel: r.channel },
    },
    avatar(isBot ? app.bot.userId : r.user),
    h(
      "div",
      { class: "msg-body" },
      h(
        "div",
        { class: "msg-meta" },
        h("span", { class: "msg-author", text: author }),
        isBot ? h("span", { class: "badge-app", text: "APP" }) : null,
        h("span", { class: "msg-time", text: formatTime(r.ts), title: r.ts }),
      ),
      content,
      item.kind === "ephemeral"
        ? ephemeralNote(() => {
            app.dismissed.add(keyOf(r.channel, r.ts));
            scheduleRender();
          })
        : null,
      place === "channel" && replyCount(r) > 0
        ? h(
            "button",
            {
              type: "button",
              class: "msg-thread-link",
              on: { click: () => openThread(r.ts) },
            },
            h(
              "span",
              { class: "thread-avatars" },
              threadAuthors(r).map((id) => avatar(id)),
            ),
            h("span", { text: `${replyCount(r)} ${replyCount(r) === 1 ? "reply" : "replies"}` }),
          )
        : null,
    ),
  );
  return el;
}

/** Counted here: a reply's arrival does not always come with an update of its parent. */
function replyCount(parent) {
  let count = 0;
  for (const m of app.messages.values()) {
    if (m.channel === parent.channel && m.threadTs === parent.ts && m.ts !== parent.ts && !m.deleted)
      count += 1;
  }
  return Math.max(count, parent.replyCount ?? 0);
}

function threadAuthors(parent) {
  const ids = new Set();
  for (const m of app.messages.values()) {
    if (m.channel === parent.channel && m.threadTs === parent.ts && m.ts !== parent.ts) ids.add(m.user);
  }
  return [...ids].slice(0, 3);
}

function ephemeralNote(dismiss) {
  return h(
    "div",
    { class: "msg-ephemeral-note" },
    h("span", { class: "eye", text: "👁" }),
    h("span", { text: "Only visible to you" }),
    h("button", { type: "button", class: "link-button", text: "Dismiss", on: { click: dismiss } }),
  );
}

/** Whether a list is scrolled to (near) its newest item. */
function isAtBottom(list) {
  return list.scrollHeight - list.scrollTop - list.clientHeight < 40;
}

/** The ts of the newest item of a list, from its rendered nodes. */
function newestTs(nodes) {
  for (let i = nodes.length - 1; i >= 0; i -= 1) {
    const ts = nodes[i]?.dataset?.ts;
    if (ts !== undefined) return ts;
  }
  return undefined;
}

/**
 * Redraws a list, as Slack scrolls it: a list shown for another channel or thread (`scope`) opens at its
 * newest item; one scrolled to the bottom stays there; one the reader scrolled up stays where they left it
 * and, if newer items arrived meanwhile, shows a "new messages" button instead of jumping.
 */
function replaceList(list, nodes, scope = list.dataset.scope ?? "") {
  const sameScope = (list.dataset.scope ?? "") === scope;
  const atBottom = !sameScope || isAtBottom(list);
  const previous = list.scrollTop;
  const before = list.dataset.newest;
  const newest = newestTs(nodes);
  clear(list);
  append(list, nodes);
  list.dataset.scope = scope;
  if (newest === undefined) delete list.dataset.newest;
  else list.dataset.newest = newest;
  list.scrollTop = atBottom ? list.scrollHeight : previous;
  const marker = newMessagesMarker(list);
  if (!marker) return;
  if (atBottom) marker.hidden = true;
  else if (newest !== undefined && (before === undefined || compareTs(newest, before) > 0))
    marker.hidden = false;
}

function scrollToNewest(list) {
  list.scrollTop = list.scrollHeight;
  const marker = newMessagesMarker(list);
  if (marker) marker.hidden = true;
}

/** The "new messages" button of a message list (`#messages`, `#thread-messages`), made on first use. */
function newMessagesMarker(list) {
  if (!list.classList.contains("messages")) return null;
  let marker = list.parentElement.querySelector(`.new-messages[data-for="${list.id}"]`);
  if (marker) return marker;
  marker = h("button", {
    type: "button",
    class: "new-messages",
    text: "↓ New messages",
    hidden: true,
    data: { for: list.id },
    on: { click: () => scrollToNewest(list) },
  });
  list.after(marker);
  // Reaching the bottom by hand reads the new messages too.
  list.addEventListener("scroll", () => {
    if (isAtBottom(list)) marker.hidden = true;
  });
  return marker;
}

function renderChannel() {
  const channel = channelById(app.channel);
  if (!channel) return;
  const tabs = $("#app-tabs");
  tabs.hidden = !channel.isIm;
  for (const button of tabs.querySelectorAll(".app-tab")) {
    button.classList.toggle("active", button.dataset.tab === app.tab);
    button.setAttribute("aria-selected", String(button.dataset.tab === app.tab));
  }
  const home = showsHome();
  $("#home").hidden = !home;
  $("#messages").hidden = home;
  $("#channel-composer").hidden = home;
  if (home) {
    $("#channel-title").textContent = app.bot.name;
    $("#channel-members").textContent = "App Home";
    renderHome();
    return;
  }
  $("#channel-title").textContent = channelLabel(channel);
  $("#channel-members").textContent = channel.isIm
    ? "Direct messages with the bot"
    : `${channel.members.filter((m) => m !== app.bot.userId).length} members${channel.members.includes(app.bot.userId) ? " · bot is in this channel" : " · bot is not in this channel"}`;
  $("#composer").placeholder = `Message ${channelLabel(channel)} — try /ecs list`;
  const items = channelItems(channel.id);
  const nodes =
    items.length === 0
      ? [
          h(
            "div",
            { class: "channel-intro" },
            h("div", {
              class: "channel-intro-title",
              text: `This is the very beginning of ${channelLabel(channel)}`,
            }),
            h("div", {
              text: "Type /ecs list, /hss hosts or /ops help below. Switch users at the top right.",
            }),
          ),
        ]
      : items.map((item) => renderItem(item, "channel"));
  replaceList($("#messages"), nodes, `${app.me}/${channel.id}`);
}

function openThread(ts) {
  app.threadTs = ts;
  scheduleRender();
}

function renderThread() {
  const pane = $("#thread");
  if (app.threadTs === null) {
    pane.hidden = true;
    document.body.classList.remove("thread-open");
    return;
  }
  const parent = app.messages.get(keyOf(app.channel, app.threadTs));
  if (!parent) {
    app.threadTs = null;
    pane.hidden = true;
    return;
  }
  pane.hidden = false;
  document.body.classList.add("thread-open");
  $("#thread-channel").textContent = channelLabel(channelById(app.channel) ?? { name: app.channel });
  const items = threadItems(app.channel, app.threadTs);
  const nodes = [];
  items.forEach((item, i) => {
    nodes.push(renderItem(item, "thread"));
    if (i === 0) {
      nodes.push(
        h("div", {
          class: "thread-divider",
          text: `${replyCount(parent)} ${replyCount(parent) === 1 ? "reply" : "replies"}`,
        }),
      );
    }
  });
  replaceList($("#thread-messages"), nodes, `${app.me}/${app.channel}/${app.threadTs}`);
}

// ---------------------------------------------------------------- permalinks

/**
 * Where a permalink of this workspace points (`https://<domain>.slack.com/archives/<channel>/p<ts without
 * the dot>`, a reply's with `?thread_ts=<parent>`), or undefined for any other URL. The fake workspace's
 * domain resolves nowhere, so the page follows these links itself, as the Slack client does.
 */
function permalinkTarget(href) {
  let url;
  try {
    url = new URL(href);
  } catch {
    return undefined;
  }
  if (app.team.domain === "" || url.protocol !== "https:" || url.host !== `${app.team.domain}.slack.com`)
    return undefined;
  const match = /^\/archives\/([A-Z0-9_]+)\/p(\d+)(\d{6})$/.exec(url.pathname);
  if (!match) return undefined;
  const [, channel, seconds, micros] = match;
  const ts = `${seconds}.${micros}`;
  const threadTs = url.searchParams.get("thread_ts");
  return { channel, ts, threadTs: threadTs !== null && threadTs !== ts ? threadTs : undefined };
}

/** Shows the message a permalink names: its channel, its thread for a reply, scrolled to and marked. */
function openPermalink(target) {
  const channel = channelById(target.channel);
  if (!channel || !visibleChannels().some((c) => c.id === channel.id)) {
    flash("That message is in a conversation you are not in.");
    return;
  }
  const message = app.messages.get(keyOf(target.channel, target.ts));
  if (!message || message.deleted) {
    flash("That message is no longer there.");
    return;
  }
  if (channel.isIm && app.tab !== "messages") {
    app.tab = "messages";
    localStorage.setItem("playground.tab", app.tab);
  }
  if (app.channel !== channel.id) selectChannel(channel.id);
  if (target.threadTs !== undefined) {
    // A reply: its thread opens beside the channel, scrolled to the reply.
    app.threadTs = target.threadTs;
    app.focus = { list: "#thread-messages", ts: target.ts };
  } else {
    app.focus = { list: "#messages", ts: target.ts };
  }
  app.highlight = { key: keyOf(target.channel, target.ts), until: Date.now() + HIGHLIGHT_MS };
  setTimeout(scheduleRender, HIGHLIGHT_MS + 50);
  scheduleRender();
}

const HIGHLIGHT_MS = 2500;

/** After a render: scrolls the message a permalink led to into the middle of its list. */
function applyFocus() {
  if (!app.focus) return;
  const { list, ts } = app.focus;
  // One try: a later redraw must not jump back to it.
  app.focus = null;
  $(list)
    ?.querySelector(`.msg[data-ts="${CSS.escape(ts)}"]`)
    ?.scrollIntoView({ block: "center" });
}

function setupPermalinks() {
  const follow = (e) => {
    const link = e.target instanceof Element ? e.target.closest("a[href]") : null;
    const target = link ? permalinkTarget(link.href) : undefined;
    if (!target) return;
    e.preventDefault();
    openPermalink(target);
  };
  document.addEventListener("click", follow);
  // A middle click would open the same dead page in a new tab.
  document.addEventListener("auxclick", (e) => {
    if (e.button === 1) follow(e);
  });
}

// ---------------------------------------------------------------- actions, confirm, modals

/** Slack's confirmation dialog for buttons/menus with `confirm`. Resolves true on confirm. */
function confirmDialog(confirm) {
  return new Promise((resolve) => {
    const layer = $("#confirm-layer");
    const done = (value) => {
      layer.hidden = true;
      clear(layer);
      resolve(value);
    };
    const ok = h("button", {
      type: "button",
      class: `bk-button ${confirm.style === "danger" ? "bk-button-danger" : "bk-button-primary"}`,
      text: plainOf(confirm.confirm) || "Yes",
      on: { click: () => done(true) },
    });
    append(clear(layer), [
      h(
        "div",
        { class: "dialog dialog-confirm", attrs: { role: "dialog", "aria-modal": "true" } },
        h("div", { class: "dialog-title", text: plainOf(confirm.title) || "Are you sure?" }),
        h("div", { class: "dialog-body" }, renderText(confirm.text, textCtx)),
        h(
          "div",
          { class: "dialog-footer" },
          h("button", {
            type: "button",
            class: "bk-button",
            text: plainOf(confirm.deny) || "Cancel",
            on: { click: () => done(false) },
          }),
          ok,
        ),
      ),
    ]);
    layer.hidden = false;
    ok.focus();
  });
}

async function runAction(location, element, selected, control) {
  if (element.confirm && !(await confirmDialog(element.confirm))) {
    if (control?.tagName === "SELECT") control.value = element.initial_option?.value ?? "";
    return;
  }
  control?.classList.add("busy");
  const body = { user: app.me, actionId: String(element.action_id) };
  if (location.viewId) body.viewId = location.viewId;
  else {
    body.channel = location.channel;
    body.messageTs = location.ts;
  }
  if (typeof element.value === "string") body.value = element.value;
  if (selected) body.selectedOption = selected;
  const result = await api("POST", "/api/action", body);
  control?.classList.remove("busy");
  if (!result.ok && location.home) {
    flash(result.json.message ?? `The action failed (HTTP ${result.status}).`);
  } else if (!result.ok) {
    notice(
      location.channel ?? app.channel,
      result.json.message ?? `The action failed (HTTP ${result.status}).`,
      location.threadTs,
    );
  }
}

/** The modal on top for the current user: the last one opened for them and still open. */
function currentView() {
  const mine = [...app.views.values()].filter((v) => v.user === undefined || v.user === app.me);
  return mine[mine.length - 1];
}

function renderModal() {
  const layer = $("#modal-layer");
  const current = currentView();
  if (!current) {
    layer.hidden = true;
    clear(layer);
    delete layer.dataset.viewId;
    delete layer.dataset.hash;
    return;
  }
  const view = current.view;
  const signature = `${current.id}:${view.hash ?? ""}:${JSON.stringify(app.viewErrors.get(current.id) ?? {})}`;
  // Keep what the user typed: redraw only when the view or its errors changed.
  if (!layer.hidden && layer.dataset.hash === signature) return;
  const inputs = new Map();
  const ctx = {
    ...textCtx,
    inputs,
    errors: app.viewErrors.get(current.id),
    onAction: (element, _blockId, selected, control) =>
      runAction({ viewId: current.id }, element, selected, control),
  };
  const submit = view.submit
    ? h("button", {
        type: "submit",
        class: "bk-button bk-button-primary",
        text: plainOf(view.submit) || "Submit",
      })
    : null;
  const close = () => void closeView(current.id);
  const form = h(
    "form",
    {
      class: "dialog dialog-modal",
      data: { viewId: current.id },
      attrs: { role: "dialog", "aria-modal": "true" },
      on: {
        submit: (e) => {
          e.preventDefault();
          void submitView(current.id, inputs, submit);
        },
      },
    },
    h(
      "div",
      { class: "dialog-header" },
      h("div", { class: "dialog-title", text: plainOf(view.title) || "Dialog" }),
      h("button", { type: "button", class: "dialog-x", title: "Close", text: "✕", on: { click: close } }),
    ),
    h("div", { class: "dialog-body" }, renderBlocks(view.blocks, ctx)),
    h(
      "div",
      { class: "dialog-footer" },
      h("button", {
        type: "button",
        class: "bk-button",
        text: plainOf(view.close) || "Cancel",
        on: { click: close },
      }),
      submit,
    ),
  );
  append(clear(layer), [form]);
  layer.dataset.viewId = current.id;
  layer.dataset.hash = signature;
  layer.hidden = false;
  form.querySelector("input, textarea, select")?.focus();
}

async function submitView(viewId, inputs, button) {
  const values = {};
  for (const input of inputs.values()) {
    const value = input.read();
    if (value === undefined) continue;
    values[input.blockId] = { ...values[input.blockId], [input.actionId]: value };
  }
  if (button) button.disabled = true;
  const result = await api("POST", "/api/view-submission", { user: app.me, viewId, values });
  if (button) button.disabled = false;
  if (!result.ok) {
    notice(app.channel, result.json.message ?? `Submitting failed (HTTP ${result.status}).`);
    return;
  }
  if (result.json.outcome === "errors") {
    app.viewErrors.set(viewId, result.json.errors);
  } else if (result.json.outcome === "update") {
    const current = app.views.get(viewId);
    if (current) app.views.set(viewId, { ...current, view: { ...result.json.view, id: viewId } });
  } else {
    app.views.delete(viewId);
  }
  scheduleRender();
}

async function closeView(viewId) {
  app.views.delete(viewId);
  scheduleRender();
  await api("POST", "/api/view-close", { user: app.me, viewId });
}

// ---------------------------------------------------------------- composer

function setupComposer(textarea, getThreadTs) {
  const popup = textarea.parentElement.querySelector(".autocomplete");
  const usage = textarea.parentElement.querySelector(".usage-hint");
  let matches = [];
  let selected = -1;

  const refresh = () => {
    const text = textarea.value;
    matches = [];
    selected = -1;
    clear(popup);
    popup.hidden = true;
    usage.hidden = true;
    if (!text.startsWith("/")) return;
    const full = app.hints.find((hint) => hint.insert.includes(" ") && text.startsWith(`${hint.insert} `));
    if (full) {
      usage.textContent = full.usage;
      usage.hidden = false;
      return;
    }
    if (/\s\S*\s/.test(text)) return;
    const typed = text.trimEnd();
    matches = app.hints.filter((hint) => hint.insert.startsWith(typed) && hint.insert !== typed).slice(0, 12);
    const exact = app.hints.find((hint) => hint.insert === typed);
    if (exact?.insert.includes(" ")) {
      usage.textContent = exact.usage;
      usage.hidden = false;
    }
    if (matches.length === 0) return;
    matches.forEach((hint, i) => {
      popup.append(
        h(
          "div",
          {
            class: "autocomplete-item",
            data: { index: i },
            on: {
              mousedown: (e) => {
                e.preventDefault();
                choose(i);
              },
            },
          },
          h("span", { class: "ac-insert", text: hint.insert }),
          h("span", { class: "ac-usage", text: hint.usage }),
          h("span", { class: "ac-summary", text: hint.summary }),
        ),
      );
    });
    popup.hidden = false;
  };

  const highlight = (i) => {
    selected = i;
    popup.querySelectorAll(".autocomplete-item").forEach((el, j) => {
      el.classList.toggle("selected", j === i);
    });
  };

  const choose = (i) => {
    const hint = matches[i];
    if (!hint) return;
    textarea.value = `${hint.insert} `;
    refresh();
    textarea.focus();
  };

  const send = async () => {
    const text = textarea.value.trim();
    if (text === "") return;
    textarea.value = "";
    refresh();
    // Slack shows what you send (and the answer to it) at the bottom, wherever you had scrolled to: at the
    // bottom, the redraws that bring the answer keep following it.
    scrollToNewest(textarea.closest(".channel, .thread").querySelector(".messages"));
    const threadTs = getThreadTs();
    const body = { user: app.me, channel: app.channel, text };
    // Slash commands go to the channel (Slack does not tell apps about the thread); messages stay in it.
    if (threadTs && !text.startsWith("/")) body.threadTs = threadTs;
    const result = await api("POST", "/api/command", body);
    if (!result.ok) {
      notice(
        app.channel,
        result.json.message ?? `That failed (HTTP ${result.status}).`,
        text.startsWith("/") ? undefined : threadTs,
      );
    }
  };

  textarea.addEventListener("input", refresh);
  textarea.addEventListener("blur", () => {
    popup.hidden = true;
  });
  textarea.addEventListener("keydown", (e) => {
    if (!popup.hidden && matches.length > 0) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const step = e.key === "ArrowDown" ? 1 : -1;
        highlight((selected + step + matches.length) % matches.length);
        return;
      }
      if (e.key === "Tab" || (e.key === "Enter" && selected >= 0)) {
        e.preventDefault();
        choose(Math.max(selected, 0));
        return;
      }
      if (e.key === "Escape") {
        popup.hidden = true;
        return;
      }
    }
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      void send();
    }
  });
}

// ---------------------------------------------------------------- cloud panel

const STATUS_CLASS = {
  ACTIVE: "ok",
  SHUTOFF: "off",
  ERROR: "err",
  SUCCESS: "ok",
  FAIL: "err",
  INIT: "busy",
  RUNNING: "busy",
};

async function pollCloud() {
  try {
    const result = await api("GET", "/api/cloud");
    if (result.ok) {
      app.cloud = result.json;
      renderCloud();
    }
  } catch {
    // The server is restarting or gone; try again.
  }
  setTimeout(pollCloud, 1000);
}

function renderCloud() {
  const cloud = app.cloud;
  if (!cloud) return;
  const counts = {};
  for (const s of cloud.servers) counts[s.status] = (counts[s.status] ?? 0) + 1;
  $("#cloud-summary").textContent = `${cloud.region} · ${cloud.servers.length} servers · ${Object.entries(
    counts,
  )
    .map(([status, n]) => `${n} ${status}`)
    .join(", ")}`;
  $("#cloud-latency").textContent = cloud.latencyMs > 0 ? `+${cloud.latencyMs} ms latency` : "";

  const filter = app.cloudFilter.toLowerCase();
  const body = clear($("#cloud-servers"));
  for (const s of cloud.servers) {
    if (filter && !s.name.toLowerCase().includes(filter) && !s.status.toLowerCase().includes(filter))
      continue;
    body.append(
      h(
        "tr",
        { data: { serverName: s.name, serverId: s.id, status: s.status } },
        h("td", { class: "srv-name", title: s.id, text: s.name }),
        h(
          "td",
          {},
          h("span", { class: `dot dot-${STATUS_CLASS[s.status] ?? (s.busyJobId ? "busy" : "other")}` }),
          h("span", { class: "srv-status", text: s.status }),
          s.busyJobId ? h("span", { class: "srv-busy", title: s.busyJobId, text: " ⏳" }) : null,
          s.locked
            ? h("span", { class: "srv-locked", title: "locked: changes are refused", text: " 🔒" })
            : null,
        ),
        h("td", { class: "srv-env", text: s.env ?? "" }),
        h("td", { class: "srv-agent", text: s.agentStatus ?? "—" }),
      ),
    );
  }
  const jobs = clear($("#cloud-jobs"));
  if (cloud.jobs.length === 0) jobs.append(h("li", { class: "muted", text: "No jobs yet." }));
  for (const j of cloud.jobs) {
    jobs.append(
      h(
        "li",
        { class: "job", data: { jobId: j.id, status: j.status } },
        h("span", { class: `dot dot-${STATUS_CLASS[j.status] ?? "other"}` }),
        h("span", { class: "job-type", text: j.jobType }),
        h("span", { class: "job-status", text: j.status }),
        h("div", {
          class: "job-servers",
          text: j.servers
            .map((s) => `${s.name}: ${s.status}${s.failReason ? ` (${s.failReason})` : ""}`)
            .join(" · "),
        }),
      ),
    );
  }
}

function setupCloudPanel() {
  $("#cloud-filter").addEventListener("input", (e) => {
    app.cloudFilter = e.target.value;
    renderCloud();
  });
  $("#fault-fail-next").addEventListener("click", async () => {
    const result = await api("POST", "/api/cloud/fail-next-job", {});
    flash(result.ok ? "The next cloud job will fail." : "Could not arm the failure.");
  });
  $("#fault-latency").addEventListener("change", async (e) => {
    const ms = Number(e.target.value);
    const result = await api("PUT", "/api/cloud/latency", { ms });
    flash(
      result.ok
        ? ms > 0
          ? `Every cloud API call now takes ${ms} ms longer.`
          : "Latency removed."
        : "Could not set latency.",
    );
  });
  $("#fault-clear").addEventListener("click", async () => {
    await api("DELETE", "/api/cloud/faults");
    $("#fault-latency").value = "0";
    flash("Faults cleared.");
  });
  $("#cloud-toggle").addEventListener("click", () => {
    document.body.classList.toggle("cloud-hidden");
  });
}

let flashTimer;
function flash(text) {
  const el = $("#flash");
  el.textContent = text;
  el.hidden = false;
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => {
    el.hidden = true;
  }, 3000);
}

// ---------------------------------------------------------------- start

function start() {
  $("#user-switcher").addEventListener("change", (e) => {
    const wasInApp = channelById(app.channel)?.isIm === true;
    app.me = e.target.value;
    localStorage.setItem("playground.user", app.me);
    // In the app (its Home or Messages), the new user sees the app too: their own DM with the bot.
    const ownApp = wasInApp ? visibleChannels().find((c) => c.isIm) : undefined;
    if (ownApp) app.channel = ownApp.id;
    if (!visibleChannels().some((c) => c.id === app.channel)) {
      app.channel = visibleChannels()[0]?.id ?? app.channel;
      app.threadTs = null;
    }
    renderMe();
    // Every modal is redrawn for the new user (theirs, or none).
    delete $("#modal-layer").dataset.hash;
    scheduleRender();
    // Slack shows each person their own Home: the new user opens it.
    if (showsHome()) void openHome();
  });
  for (const button of document.querySelectorAll("#app-tabs .app-tab")) {
    button.addEventListener("click", () => selectTab(button.dataset.tab));
  }
  $("#thread-close").addEventListener("click", () => {
    app.threadTs = null;
    scheduleRender();
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !$("#modal-layer").hidden && $("#confirm-layer").hidden) {
      const current = currentView();
      if (current) void closeView(current.id);
    }
  });
  for (const example of document.querySelectorAll(".sidebar-help code")) {
    example.addEventListener("click", () => {
      const composer = $("#composer");
      composer.value = example.textContent ?? "";
      composer.dispatchEvent(new Event("input"));
      composer.focus();
    });
  }
  setupComposer($("#composer"), () => null);
  setupComposer($("#thread-composer"), () => app.threadTs);
  setupCloudPanel();
  setupPermalinks();
  connectEvents();
  void pollCloud();
}

start();
