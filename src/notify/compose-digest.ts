import type { Message } from "../render/message-model.js";
import { buildEcsFleetDigest, buildHssPostureDigest } from "./build-digest-message.js";
import type { FleetIndex } from "./create-fleet-index.js";
import { fetchServerIndex } from "./fetch-server-index.js";
import type { DigestConfig } from "./load-notifications-config.js";
import { matchSubject } from "./match-subject.js";
import { summarizeEcsFleet } from "./summarize-ecs-fleet.js";
import { summarizeHssPosture } from "./summarize-hss-posture.js";
import type { NotifierCloud } from "./watcher-kind.js";

/** Reads the cloud and builds one digest's message (throws the cloud's error when a read fails). */
export async function composeDigest(
  cloud: NotifierCloud,
  fleet: FleetIndex,
  digest: DigestConfig,
  slot: number,
): Promise<Message> {
  const ctx = {
    digestId: digest.id,
    at: slot,
    timeZone: digest.timeZone,
    scoped: digest.match !== undefined,
  };
  switch (digest.kind) {
    case "hss_posture": {
      const [listing, servers] = await Promise.all([
        cloud.hss.listHosts(),
        digest.match === undefined ? Promise.resolve(undefined) : fetchServerIndex(fleet),
      ]);
      const hosts = listing.items.filter((h) =>
        matchSubject(digest.match, { name: h.hostName, tags: servers?.get(h.hostId)?.tags ?? {} }),
      );
      return buildHssPostureDigest(summarizeHssPosture(hosts, digest.top), ctx);
    }
    case "ecs_fleet": {
      const servers = (await fleet.servers()).filter((s) => matchSubject(digest.match, s));
      return buildEcsFleetDigest(summarizeEcsFleet(servers), digest.top, ctx);
    }
  }
}
