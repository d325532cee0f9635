/** The bot's composition root (no process access): `createBot` for `src/main.ts`, tests and the playground. */
export { type Bot, type CreateBotOptions, createBot } from "./create-bot.js";
export { createTaskTracker, type TaskTracker } from "./create-task-tracker.js";
