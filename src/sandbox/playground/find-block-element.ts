/** An interactive element found in a list of blocks, with its block. */
export interface FoundElement {
  blockId?: string;
  element: Record<string, unknown>;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Finds the element with `actionId` in blocks: actions elements, section accessories, input elements. */
export function findBlockElement(blocks: unknown, actionId: string): FoundElement | undefined {
  if (!Array.isArray(blocks)) return undefined;
  for (const block of blocks) {
    if (!isRecord(block)) continue;
    const candidates = [
      ...(Array.isArray(block.elements) ? block.elements : []),
      ...(block.accessory !== undefined ? [block.accessory] : []),
      ...(block.element !== undefined ? [block.element] : []),
    ];
    for (const element of candidates) {
      if (isRecord(element) && element.action_id === actionId) {
        return typeof block.block_id === "string" ? { blockId: block.block_id, element } : { element };
      }
    }
  }
  return undefined;
}

/** The option of a static select with `value` (options or option groups), as Slack would send it back. */
export function findSelectOption(
  element: Record<string, unknown>,
  value: string,
): Record<string, unknown> | undefined {
  const groups = Array.isArray(element.option_groups) ? element.option_groups : [];
  const options = [
    ...(Array.isArray(element.options) ? element.options : []),
    ...groups.flatMap((g) => (isRecord(g) && Array.isArray(g.options) ? g.options : [])),
  ];
  return options.find((o): o is Record<string, unknown> => isRecord(o) && o.value === value);
}
