/** Slash commands the bot's manifest registers; anything else starting with `/` is refused like Slack does. */
export const PLAYGROUND_COMMANDS = ["/ecs", "/hss", "/ops"] as const;

export type ComposerInput =
  | { kind: "command"; command: string; text: string }
  | { kind: "message"; text: string }
  | { kind: "unknown_command"; command: string };

/**
 * What a line typed in the composer is. Text is escaped the way Slack escapes what it forwards
 * (`&`, `<`, `>` as entities), so the bot sees exactly what it would get from Slack.
 */
export function parseComposerText(input: string): ComposerInput {
  const line = input.trim();
  const match = /^(\/[^\s]+)(?:\s+([\s\S]*))?$/.exec(line);
  if (!match) return { kind: "message", text: escapeSlackText(line) };
  const command = (match[1] ?? "").toLowerCase();
  if (!(PLAYGROUND_COMMANDS as readonly string[]).includes(command))
    return { kind: "unknown_command", command };
  return { kind: "command", command, text: escapeSlackText((match[2] ?? "").trim()) };
}

/** Slack's escaping of user text: only `&`, `<` and `>`. */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
