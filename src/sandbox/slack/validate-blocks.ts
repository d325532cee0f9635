const BLOCK_TYPES = new Set([
  "actions",
  "context",
  "divider",
  "file",
  "header",
  "image",
  "input",
  "markdown",
  "rich_text",
  "section",
  "table",
  "video",
]);

/**
 * Slack refuses a message whose serialized `blocks` pass about 13,200 characters with `msg_blocks_too_long`
 * (not documented; measured in slackapi/bolt-js#2509 at 13,172-13,297 depending on content, on ASCII text):
 * the fake refuses past 13,000 UTF-8 bytes, the low end counted the stricter way (a Chinese character is three
 * bytes), so a bot that fits here fits there whether Slack counts characters or bytes.
 */
export const MAX_MESSAGE_BLOCKS_JSON = 13_000;

export type BlocksCheck =
  | { ok: true; blocks: unknown[] | undefined }
  | {
      ok: false;
      error: "invalid_blocks_format" | "invalid_blocks" | "msg_blocks_too_long";
      problems: string[];
    };

/**
 * Checks a `blocks` argument against the Block Kit limits the bot is most likely to trip on
 * (counts, lengths, duplicate block_ids, duplicate action_ids within a block), so the fake refuses what Slack would refuse.
 * `maxBlocks` is 50 for messages and 100 for views; `maxJson`, for messages, the serialized length Slack refuses.
 */
export function validateBlocks(value: unknown, maxBlocks: number, maxJson?: number): BlocksCheck {
  if (value === undefined || value === "") return { ok: true, blocks: undefined };
  if (!Array.isArray(value)) {
    return { ok: false, error: "invalid_blocks_format", problems: ["blocks must be a JSON array"] };
  }
  const problems: string[] = [];
  if (value.length > maxBlocks)
    problems.push(`no more than ${maxBlocks} items allowed [json-pointer:/blocks]`);
  const blockIds = new Set<string>();
  value.forEach((block, i) => {
    const at = `/blocks/${i}`;
    // Slack wants action_ids unique within their containing block.
    const actionIds = new Set<string>();
    if (typeof block !== "object" || block === null || Array.isArray(block)) {
      problems.push(`must be an object [json-pointer:${at}]`);
      return;
    }
    const b = block as Record<string, unknown>;
    if (typeof b.type !== "string" || !BLOCK_TYPES.has(b.type)) {
      problems.push(`unsupported type: ${String(b.type)} [json-pointer:${at}/type]`);
      return;
    }
    if (b.block_id !== undefined) {
      if (typeof b.block_id !== "string" || b.block_id.length === 0 || b.block_id.length > 255) {
        problems.push(`block_id must be a string of 1-255 characters [json-pointer:${at}/block_id]`);
      } else if (blockIds.has(b.block_id)) {
        problems.push(`duplicate block_id: ${b.block_id} [json-pointer:${at}/block_id]`);
      } else {
        blockIds.add(b.block_id);
      }
    }
    switch (b.type) {
      case "section":
        checkSection(b, at, problems, actionIds);
        break;
      case "header":
        checkText(b.text, `${at}/text`, 150, problems, true);
        break;
      case "actions":
        checkElements(b.elements, `${at}/elements`, 25, problems, actionIds);
        break;
      case "context":
        if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > 10) {
          problems.push(`context needs 1-10 elements [json-pointer:${at}/elements]`);
        } else {
          b.elements.forEach((e, j) => {
            // Image elements aside, a context element is a text object (at most 3000 characters).
            if ((e as { type?: unknown })?.type !== "image")
              checkText(e, `${at}/elements/${j}`, 3000, problems, false);
          });
        }
        break;
      case "input":
        if (typeof b.label !== "object" || b.label === null) {
          problems.push(`input needs a label [json-pointer:${at}/label]`);
        } else {
          checkText(b.label, `${at}/label`, 2000, problems, true);
        }
        if (b.hint !== undefined) checkText(b.hint, `${at}/hint`, 2000, problems, true);
        if (typeof b.element !== "object" || b.element === null) {
          problems.push(`input needs an element [json-pointer:${at}/element]`);
        } else {
          checkElement(b.element as Record<string, unknown>, `${at}/element`, problems, actionIds);
        }
        break;
      default:
        break;
    }
  });
  if (problems.length > 0) return { ok: false, error: "invalid_blocks", problems };
  if (maxJson !== undefined && Buffer.byteLength(JSON.stringify(value)) > maxJson) {
    return { ok: false, error: "msg_blocks_too_long", problems: ["blocks too long [json-pointer:/blocks]"] };
  }
  return { ok: true, blocks: value as unknown[] };
}

function checkSection(
  b: Record<string, unknown>,
  at: string,
  problems: string[],
  actionIds: Set<string>,
): void {
  if (b.text === undefined && b.fields === undefined) {
    problems.push(`section needs text or fields [json-pointer:${at}]`);
  }
  if (b.text !== undefined) checkText(b.text, `${at}/text`, 3000, problems, false);
  if (b.fields !== undefined) {
    if (!Array.isArray(b.fields) || b.fields.length > 10) {
      problems.push(`no more than 10 fields allowed [json-pointer:${at}/fields]`);
    } else {
      b.fields.forEach((f, i) => {
        checkText(f, `${at}/fields/${i}`, 2000, problems, false);
      });
    }
  }
  if (b.accessory !== undefined) {
    if (typeof b.accessory !== "object" || b.accessory === null) {
      problems.push(`accessory must be an object [json-pointer:${at}/accessory]`);
    } else {
      checkElement(b.accessory as Record<string, unknown>, `${at}/accessory`, problems, actionIds);
    }
  }
}

function checkText(text: unknown, at: string, max: number, problems: string[], plainOnly: boolean): void {
  if (typeof text !== "object" || text === null) {
    problems.push(`must be a text object [json-pointer:${at}]`);
    return;
  }
  const t = text as Record<string, unknown>;
  if (t.type !== "plain_text" && (plainOnly || t.type !== "mrkdwn")) {
    problems.push(`invalid text type: ${String(t.type)} [json-pointer:${at}/type]`);
  }
  if (typeof t.text !== "string" || t.text.length === 0) {
    problems.push(`text must be a non-empty string [json-pointer:${at}/text]`);
  } else if (t.text.length > max) {
    problems.push(`must be less than ${max + 1} characters [json-pointer:${at}/text]`);
  }
}

function checkElements(
  elements: unknown,
  at: string,
  max: number,
  problems: string[],
  actionIds: Set<string>,
): void {
  if (!Array.isArray(elements) || elements.length === 0 || elements.length > max) {
    problems.push(`needs 1-${max} elements [json-pointer:${at}]`);
    return;
  }
  elements.forEach((e, i) => {
    if (typeof e !== "object" || e === null) {
      problems.push(`element must be an object [json-pointer:${at}/${i}]`);
      return;
    }
    checkElement(e as Record<string, unknown>, `${at}/${i}`, problems, actionIds);
  });
}

function checkElement(
  e: Record<string, unknown>,
  at: string,
  problems: string[],
  actionIds: Set<string>,
): void {
  if (typeof e.type !== "string") problems.push(`element needs a type [json-pointer:${at}/type]`);
  if (e.action_id !== undefined) {
    if (typeof e.action_id !== "string" || e.action_id.length === 0 || e.action_id.length > 255) {
      problems.push(`action_id must be a string of 1-255 characters [json-pointer:${at}/action_id]`);
    } else if (actionIds.has(e.action_id)) {
      problems.push(`duplicate action_id: ${e.action_id} [json-pointer:${at}/action_id]`);
    } else {
      actionIds.add(e.action_id);
    }
  }
  if (e.confirm !== undefined) {
    const c = e.confirm as Record<string, unknown>;
    if (typeof c !== "object" || c === null)
      problems.push(`confirm must be an object [json-pointer:${at}/confirm]`);
    else {
      checkText(c.title, `${at}/confirm/title`, 100, problems, true);
      checkText(c.text, `${at}/confirm/text`, 300, problems, false);
      checkText(c.confirm, `${at}/confirm/confirm`, 30, problems, true);
      checkText(c.deny, `${at}/confirm/deny`, 30, problems, true);
    }
  }
  if (e.type === "static_select") {
    const options = e.options;
    if (!Array.isArray(options) || options.length === 0 || options.length > 100) {
      problems.push(`static_select needs 1-100 options [json-pointer:${at}/options]`);
    } else {
      options.forEach((o, i) => {
        const option = (o ?? {}) as Record<string, unknown>;
        checkText(option.text, `${at}/options/${i}/text`, 75, problems, true);
        if (typeof option.value !== "string" || option.value.length === 0 || option.value.length > 150) {
          problems.push(`value must be 1-150 characters [json-pointer:${at}/options/${i}/value]`);
        }
      });
    }
    if (e.placeholder !== undefined) checkText(e.placeholder, `${at}/placeholder`, 150, problems, true);
  }
  if (e.type === "plain_text_input") {
    for (const k of ["min_length", "max_length"] as const) {
      const n = e[k];
      if (n !== undefined && (typeof n !== "number" || n < (k === "min_length" ? 0 : 1) || n > 3000)) {
        problems.push(`${k} must be ${k === "min_length" ? 0 : 1}-3000 [json-pointer:${at}/${k}]`);
      }
    }
    if (e.placeholder !== undefined) checkText(e.placeholder, `${at}/placeholder`, 150, problems, true);
  }
  if (e.type === "button") {
    checkText(e.text, `${at}/text`, 75, problems, true);
    if (e.value !== undefined && (typeof e.value !== "string" || e.value.length > 2000)) {
      problems.push(`value must be a string of at most 2000 characters [json-pointer:${at}/value]`);
    }
    if (e.style !== undefined && e.style !== "primary" && e.style !== "danger") {
      problems.push(`invalid style: ${String(e.style)} [json-pointer:${at}/style]`);
    }
  }
}
