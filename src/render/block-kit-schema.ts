import { z } from "zod";
import { BLOCK_KIT_LIMITS as L } from "./block-kit-limits.js";

/**
 * A strict schema of the Block Kit subset the renderer emits, with Slack's limits. Used by tests and usable by
 * the fake Slack to reject what real Slack would reject. Unknown keys are errors, so a typo cannot slip by.
 */

const plainText = (max: number) =>
  z.strictObject({
    type: z.literal("plain_text"),
    text: z.string().min(1).max(max),
    emoji: z.boolean().optional(),
  });

const mrkdwn = (max: number) =>
  z.strictObject({
    type: z.literal("mrkdwn"),
    text: z.string().min(1).max(max),
    verbatim: z.boolean().optional(),
  });

const textObject = (max: number) => z.discriminatedUnion("type", [plainText(max), mrkdwn(max)]);

const style = z.enum(["primary", "danger"]);

const confirmSchema = z.strictObject({
  title: plainText(L.confirmTitle),
  text: textObject(L.confirmText),
  confirm: plainText(L.confirmButton),
  deny: plainText(L.confirmButton),
  style: style.optional(),
});

const actionId = z.string().min(1).max(L.actionId);

const buttonSchema = z.strictObject({
  type: z.literal("button"),
  action_id: actionId,
  text: plainText(L.buttonText),
  value: z.string().min(1).max(L.buttonValue).optional(),
  style: style.optional(),
  confirm: confirmSchema.optional(),
});

const optionSchema = z.strictObject({
  text: plainText(L.optionText),
  value: z.string().min(1).max(L.optionValue),
});

const staticSelectSchema = z.strictObject({
  type: z.literal("static_select"),
  action_id: actionId,
  placeholder: plainText(L.selectPlaceholder).optional(),
  options: z.array(optionSchema).min(1).max(L.selectOptions),
  initial_option: optionSchema.optional(),
  confirm: confirmSchema.optional(),
});

const interactive = z.discriminatedUnion("type", [buttonSchema, staticSelectSchema]);

const headerSchema = z.strictObject({ type: z.literal("header"), text: plainText(L.headerText) });

const sectionSchema = z
  .strictObject({
    type: z.literal("section"),
    text: textObject(L.sectionText).optional(),
    fields: z.array(textObject(L.sectionFieldText)).min(1).max(L.sectionFields).optional(),
    accessory: interactive.optional(),
  })
  .refine((s) => s.text !== undefined || s.fields !== undefined, "a section needs text or fields");

const contextSchema = z.strictObject({
  type: z.literal("context"),
  elements: z
    .array(z.discriminatedUnion("type", [plainText(L.contextElementText), mrkdwn(L.contextElementText)]))
    .min(1)
    .max(L.contextElements),
});

const dividerSchema = z.strictObject({ type: z.literal("divider") });

const actionsSchema = z.strictObject({
  type: z.literal("actions"),
  elements: z.array(interactive).min(1).max(L.actionsElements),
});

export const blockSchema = z.union([
  headerSchema,
  sectionSchema,
  contextSchema,
  dividerSchema,
  actionsSchema,
]);

function actionIds(blocks: readonly z.infer<typeof blockSchema>[]): string[] {
  return blocks.flatMap((b) => {
    if (b.type === "actions") return b.elements.map((e) => e.action_id);
    if (b.type === "section" && b.accessory) return [b.accessory.action_id];
    return [];
  });
}

/** A `chat.postMessage`-style payload as the renderer produces it. */
export const blockKitMessageSchema = z
  .strictObject({
    text: z.string().min(1).max(40_000),
    blocks: z.array(blockSchema).max(L.blocksPerMessage),
  })
  .refine((m) => JSON.stringify(m.blocks).length <= L.blocksJsonChars, "blocks JSON too large")
  .refine((m) => {
    const ids = actionIds(m.blocks);
    return new Set(ids).size === ids.length;
  }, "action_id values must be unique");

/** A view's blocks as the renderer produces them for the Home tab (`VIEW_RENDER_OPTIONS`). */
export const blockKitViewSchema = z
  .strictObject({
    text: z.string().min(1).max(40_000),
    blocks: z.array(blockSchema).max(L.blocksPerView),
  })
  .refine(
    (m) => Buffer.byteLength(JSON.stringify(m.blocks)) <= L.defaultViewJsonBudget,
    "blocks JSON too large",
  )
  .refine((m) => {
    const ids = actionIds(m.blocks);
    return new Set(ids).size === ids.length;
  }, "action_id values must be unique");
