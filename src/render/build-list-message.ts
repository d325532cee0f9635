import { formatCount } from "./escape-mrkdwn.js";
import type { ListItem, Message, Part, Text } from "./message-model.js";
import { context, header, list, md, pagination, toSpans } from "./message-model.js";

export interface ListMessagePage {
  /** 1-based; clamped to the available pages. */
  page: number;
  pageSize: number;
  /** Size of the whole result set. */
  total: number;
  /** Prefix of the Previous/Next action IDs (`<id>.prev`, `<id>.next`). */
  paginationId: string;
  /** Opaque context for the pagination handler (e.g. the encoded query); default empty. */
  paginationValue?: string;
}

/**
 * A titled, page-aware list: "Showing 41–60 of 10,000", the page's items and Previous/Next buttons.
 * `items` are the items of the requested page (callers page server-side); beyond `pageSize` they are ignored.
 */
export function buildListMessage(title: Text, items: readonly ListItem[], options: ListMessagePage): Message {
  const pageSize = Math.max(1, Math.trunc(options.pageSize));
  const total = Math.max(0, Math.trunc(options.total));
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(1, Math.trunc(options.page)), pageCount);
  const pageItems = items.slice(0, pageSize);
  const first = (page - 1) * pageSize + 1;
  const last = first + pageItems.length - 1;
  const titleSpans = toSpans(title);

  const summary =
    pageItems.length === 0
      ? md`No items${total > 0 ? md` on this page (${formatCount(total)} in total)` : md``}.`
      : md`Showing ${formatCount(first)}–${formatCount(last)} of ${formatCount(total)}`;
  const blocks: Part[] = [header(title), context(summary)];
  if (pageItems.length > 0) blocks.push(list(pageItems));
  blocks.push(
    pagination({ id: options.paginationId, page, pageCount, value: options.paginationValue ?? "" }),
  );
  return { text: md`${titleSpans}: ${summary}`, blocks };
}
