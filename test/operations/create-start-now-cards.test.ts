/**
 * The periodic pass's keeper of what waiting scheduled changes' cards say of their start
 * (`createStartNowCards`): a card is drawn again once per move of its window, whichever of the replicas sees the
 * move first, and back as asked when the calendar moves back; a replica that knows reads nothing.
 */
import { Writable } from "node:stream";
import { expect, it } from "vitest";
import { createLogger } from "../../src/log/create-logger.js";
import { createStartNowCards } from "../../src/operations/create-start-now-cards.js";
import type { StartNow } from "../../src/operations/judge-start-now.js";
import { createRequestDetailsStore } from "../../src/operations/request-details.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import { makeDetails, makeRequest, T0 } from "./fixtures.js";

const MINUTE = 60_000;
const logger = createLogger({ level: "silent", destination: new Writable({ write: (_c, _e, cb) => cb() }) });

it("once per move across replicas; moved back: as asked again; reads only what it does not know", async () => {
  const store = createMemoryStore();
  const details = createRequestDetailsStore(store);
  const request = makeRequest({
    status: "approved",
    schedule: { runAt: T0 + 60 * MINUTE, startBy: T0 + 120 * MINUTE, window: "maint" },
  });
  await details.create(makeDetails({ requestId: request.id }));
  let reads = 0;
  const counted = {
    ...details,
    get: (id: string) => {
      reads++;
      return details.get(id);
    },
  };
  const refreshed: string[] = [];
  const replica = () =>
    createStartNowCards({ details: counted, logger, refreshCard: async (id) => void refreshed.push(id) });
  const [one, two] = [replica(), replica()];
  const asAsked: StartNow = { kind: "runs", at: T0 + 60 * MINUTE };
  const moved: StartNow = { kind: "runs", at: T0 + 80 * MINUTE };

  await one.sync(request, asAsked);
  expect(refreshed).toEqual([]);
  expect((await details.get(request.id))?.startShown).toBeUndefined();

  await Promise.all([one.sync(request, moved), two.sync(request, moved)]);
  await one.sync(request, moved);
  expect(refreshed).toEqual([request.id]);
  expect((await details.get(request.id))?.startShown).toEqual(moved);
  const readsAfterMove = reads;
  await one.sync(request, moved);
  await two.sync(request, moved);
  expect(reads).toBe(readsAfterMove);

  await two.sync(request, asAsked);
  expect(refreshed).toEqual([request.id, request.id]);
  expect((await details.get(request.id))?.startShown).toBeUndefined();
  await one.sync(request, asAsked);
  expect(refreshed).toHaveLength(2);
});
