import type { HandlerContext, ScheduleIntent } from "../commands/types.js";
import type { Message } from "../render/message-model.js";
import { buildScheduleListView } from "../views/build-recurring-schedule-views.js";
import { addSchedule } from "./add-schedule.js";
import { changeSchedule } from "./change-schedule.js";
import { summarizeSchedule } from "./describe-schedule.js";
import type { ScheduleDeps } from "./schedule-deps.js";
import { readSchedule, SCHEDULES_SET, type Schedule } from "./schedule-record.js";

/**
 * `/ops schedule add|list|pause|resume|delete`, answered to the requester only (the creation request's card is
 * posted in the channel). Bad input (cron, zone, servers) and refusals change nothing.
 */
export function createScheduleCommandHandler(deps: ScheduleDeps) {
  return async (intent: ScheduleIntent, ctx: HandlerContext): Promise<Message | undefined> => {
    switch (intent.type) {
      case "ops.schedule.add":
        return addSchedule(deps, intent, ctx);
      case "ops.schedule.list":
        return listSchedules(deps);
      case "ops.schedule.pause":
      case "ops.schedule.resume":
      case "ops.schedule.delete":
        return changeSchedule(deps, intent, ctx);
    }
  };
}

async function listSchedules(deps: ScheduleDeps): Promise<Message> {
  const now = deps.clock.now();
  const schedules: Schedule[] = [];
  for (const id of await deps.store.members(SCHEDULES_SET)) {
    const schedule = await readSchedule(deps.store, id);
    if (schedule !== undefined) schedules.push(schedule);
  }
  schedules.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  return buildScheduleListView(schedules.map((s) => summarizeSchedule(s, now)));
}
