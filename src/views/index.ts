/**
 * Pure view builders: domain objects → platform-neutral `Message`s. No I/O; the command layer fetches,
 * these decide what the requester sees.
 */
export { type ResultControls, VIEW_ACTIONS } from "./action-ids.js";
export { type AmbiguityViewInput, buildAmbiguityView, MAX_PICK_OPTIONS } from "./build-ambiguity-view.js";
export { buildCloudErrorView, buildInternalErrorView, type CloudFailure } from "./build-cloud-error-view.js";
export { buildDeliveryErrorView, type DeliveryErrorViewInput } from "./build-delivery-error-view.js";
export { buildFlavorListView, type FlavorListViewInput, type FlavorQuery } from "./build-flavor-list-view.js";
export { buildHelpView } from "./build-help-view.js";
export {
  buildHssHostListView,
  countHosts,
  type HssHostCounts,
  type HssHostFilters,
  type HssHostListViewInput,
  hasRisk,
  riskCount,
} from "./build-hss-host-list-view.js";
export { buildJobView, type JobViewInput } from "./build-job-view.js";
export {
  buildExpiredView,
  buildNotEnabledView,
  buildNoticeView,
  buildNotYoursView,
} from "./build-notice-view.js";
export {
  buildOpenPortListView,
  isDangerous,
  type OpenPortListViewInput,
  sortPorts,
} from "./build-open-port-list-view.js";
export {
  buildPagedList,
  DEFAULT_PAGE_SIZE,
  type PagedListInput,
  type PageWindow,
  pageOf,
  pageWindow,
} from "./build-paged-list.js";
export { buildParseErrorView } from "./build-parse-error-view.js";
export { buildResolutionErrorView, type UnresolvedTarget } from "./build-resolution-error-view.js";
export { buildScanTaskView, type ScanTaskViewInput } from "./build-scan-task-view.js";
export { buildServerDetailView, type ServerDetailViewInput } from "./build-server-detail-view.js";
export {
  buildServerListView,
  describeListFilters,
  describeStatusCounts,
  type EcsListFilters,
  type ServerListViewInput,
  serverListItem,
} from "./build-server-list-view.js";
export { buildStoreUnavailableView } from "./build-store-unavailable-view.js";
