import { encodePaginationValue } from "../render/encode-pagination-value.js";
import { formatCount } from "../render/escape-mrkdwn.js";
import {
  actions,
  button,
  context,
  header,
  type ListItem,
  list,
  md,
  type Part,
  pagination,
  type Text,
} from "../render/message-model.js";
import { type ResultControls, VIEW_ACTIONS } from "./action-ids.js";
import { sharedByLine } from "./format-values.js";

/** Default page size of every read-only list: scannable, and well within one message. */
export const DEFAULT_PAGE_SIZE = 20;

export interface PageWindow {
  /** 1-based, clamped to the available pages. */
  page: number;
  pageCount: number;
  /** Index of the page's first item in the whole result. */
  offset: number;
}

/** The window of `page` in a result of `total` items. */
export function pageWindow(total: number, page: number, pageSize = DEFAULT_PAGE_SIZE): PageWindow {
  const size = Math.max(1, Math.trunc(pageSize));
  const pageCount = Math.max(1, Math.ceil(Math.max(0, total) / size));
  const clamped = Math.min(Math.max(1, Math.trunc(page) || 1), pageCount);
  return { page: clamped, pageCount, offset: (clamped - 1) * size };
}

/** The items of `page` from a full, ordered result. */
export function pageOf<T>(
  all: readonly T[],
  page: number,
  pageSize = DEFAULT_PAGE_SIZE,
): { items: T[] } & PageWindow {
  const window = pageWindow(all.length, page, pageSize);
  return { ...window, items: all.slice(window.offset, window.offset + pageSize) };
}

export interface PagedListInput {
  title: Text;
  /** Context lines under the title (totals, filters, counts). */
  summary: readonly Text[];
  /** The page's items (more than `pageSize` are cut). */
  items: readonly ListItem[];
  /** Size of the whole result. */
  total: number;
  /**
   * Items of this page (of a result listed earlier) that no longer exist: left out of `items` but counted in
   * the range, which is said, so that pages still add up ("Showing 21–40 of 50; 10 no longer exist").
   */
  gone?: number;
  page: number;
  pageSize?: number;
  /** Shown instead of the list when the result is empty. */
  empty: Text;
  /** Present for the requester's own copy: Previous/Next and "Share in channel". */
  controls?: ResultControls;
  /** Present on a copy shared in the channel: who shared it (no controls there). */
  sharedBy?: string;
}

/** Title, "Showing a–b of n", summary lines, the page's items, paging and sharing controls. */
export function buildPagedList(input: PagedListInput): Part[] {
  const pageSize = input.pageSize ?? DEFAULT_PAGE_SIZE;
  const window = pageWindow(input.total, input.page, pageSize);
  const items = input.items.slice(0, pageSize);
  const parts: Part[] = [header(input.title)];
  if (input.total === 0 || items.length === 0) {
    parts.push(context(...input.summary, input.empty));
  } else {
    const gone = Math.max(0, input.gone ?? 0);
    const first = window.offset + 1;
    const last = Math.min(window.offset + items.length + gone, input.total);
    const goneNote = gone > 0 ? md`; ${formatCount(gone)} of them no longer exist` : md``;
    const range =
      window.pageCount > 1
        ? md`Showing ${formatCount(first)}–${formatCount(last)} of ${formatCount(input.total)}${goneNote}`
        : md`${formatCount(input.total)} in total${goneNote}`;
    parts.push(context(range, ...input.summary));
    parts.push(list(items));
  }
  if (input.sharedBy !== undefined) parts.push(context(sharedByLine(input.sharedBy)));
  if (input.controls !== undefined) {
    parts.push(
      pagination({
        id: VIEW_ACTIONS.page,
        page: window.page,
        pageCount: window.pageCount,
        value: input.controls.token,
      }),
    );
    if (input.total > 0) parts.push(actions(shareButton(input.controls, window.page)));
  }
  return parts;
}

/** The "Share in channel" button for a result page. */
export function shareButton(controls: ResultControls, page: number) {
  return button({
    id: VIEW_ACTIONS.share,
    label: md`Share in channel`,
    value: encodePaginationValue(page, controls.token),
  });
}
