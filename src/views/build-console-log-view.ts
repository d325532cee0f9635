import type { Server } from "../cloud/types.js";
import { codeBlock, context, header, type Message, md, type Part } from "../render/message-model.js";
import { emoji } from "./format-values.js";

/** Longest line shown (console logs carry progress bars and base64 blobs). */
const MAX_LINE_CHARS = 300;
/** Raw characters per code block, and in all: a message holds about 12,000 characters of blocks. */
const CHUNK_CHARS = 2_400;
const TOTAL_CHARS = 7_200;

export interface ConsoleLogViewInput {
  server: Pick<Server, "id" | "name">;
  /** The lines the cloud returned, oldest first. */
  lines: readonly string[];
  /** How many lines were asked for. */
  requested: number;
}

/**
 * `/ecs console-log`: the last lines of a server's console log, newest at the bottom, in code blocks. Shown
 * only to the requester: it has no share button, since a console log may show secrets. When the lines do
 * not fit in one message, the newest that fit are shown and the view says how many.
 */
export function buildConsoleLogView(input: ConsoleLogViewInput): Message {
  const lines = input.lines.map((l) => (l.length > MAX_LINE_CHARS ? `${l.slice(0, MAX_LINE_CHARS)}…` : l));
  const kept: string[] = [];
  let size = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (size + line.length + 1 > TOTAL_CHARS) break;
    kept.unshift(line);
    size += line.length + 1;
  }
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let chunkSize = 0;
  for (const line of kept) {
    if (chunk.length > 0 && chunkSize + line.length + 1 > CHUNK_CHARS) {
      chunks.push(chunk);
      chunk = [];
      chunkSize = 0;
    }
    chunk.push(line);
    chunkSize += line.length + 1;
  }
  if (chunk.length > 0) chunks.push(chunk);

  const blocks: Part[] = [header(md`Console log of ${input.server.name}`)];
  const shown =
    kept.length < lines.length
      ? md`The last ${String(kept.length)} of ${String(lines.length)} lines (all that fit in one message)`
      : md`The last ${String(lines.length)} ${lines.length === 1 ? "line" : "lines"} (${String(input.requested)} asked)`;
  blocks.push(
    context(
      shown,
      md`${emoji(":bust_in_silhouette:")} Only you can see this: a console log may show secrets, so it cannot be shared`,
    ),
  );
  if (chunks.length === 0) blocks.push(context(md`The console log is empty.`));
  for (const c of chunks) blocks.push(codeBlock(c.join("\n")));
  return { text: md`Console log of ${input.server.name}`, blocks };
}
