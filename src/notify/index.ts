/** Public surface of the channel notifications (watchers, digests, `/ops watch list`). */
export { buildWatchListMessage } from "./build-watch-list-message.js";
export {
  isPermanentDeliveryError,
  PERMANENT_DELIVERY_ERRORS,
  type UndeliverableChannel,
} from "./channel-health.js";
export {
  createExpectationMarker,
  type ExpectationMarkerDeps,
  type ExpectedMutation,
} from "./create-expectation-marker.js";
export { createNotifier } from "./create-notifier.js";
export {
  EVENT_SEVERITY,
  EVENT_TYPES,
  type EventType,
  type FleetEvent,
  SEVERITIES,
  type Severity,
} from "./fleet-event.js";
export {
  type DeliveryConfig,
  type DigestConfig,
  loadNotificationsConfig,
  loadNotificationsConfigOrThrow,
  NOTIFY_DEFAULTS,
  type NotificationsConfig,
  NotificationsConfigError,
  type NotificationsConfigResult,
  parseNotificationsConfig,
  type RouteRule,
  type SubjectMatch,
  type WatcherConfig,
} from "./load-notifications-config.js";
export { markExpectedTransition } from "./mark-expected-transition.js";
export type {
  DigestInfo,
  DigestRunResult,
  Notifier,
  NotifierDeps,
  NotifierLogger,
  SkipReason,
  TickReport,
  WatcherInfo,
  WatcherRunResult,
} from "./notifier-types.js";
export {
  NOTIFY_ACTION_ID_PATTERN,
  NOTIFY_ACTION_PREFIX,
  NOTIFY_ACTIONS,
  type NotifyAction,
  notifyActionId,
  parseNotifyActionId,
} from "./notify-action-ids.js";
export type { NotifierCloud, ScanTaskSummary } from "./watcher-kind.js";
