import { describe, expect, it } from "vitest";
import { type FleetEvent, fleetEvent } from "../../src/notify/fleet-event.js";
import type { RouteRule } from "../../src/notify/load-notifications-config.js";
import { routeEvents } from "../../src/notify/route-events.js";

function event(type: FleetEvent["type"], name: string, tags: Record<string, string>): FleetEvent {
  return fleetEvent(
    type,
    `${type}:${name}`,
    "x",
    { kind: "server", id: name, name, tags },
    {
      kind: "server",
      previous: "ACTIVE",
      status: "SHUTOFF",
    },
  );
}

const route = (r: Partial<RouteRule> & Pick<RouteRule, "id" | "channels">): RouteRule => ({
  minSeverity: "info",
  source: "test",
  ...r,
});

describe("routeEvents", () => {
  const prodStop = event("ecs.stopped", "web-01", { env: "prod" });
  const devStart = event("ecs.started", "dev-01", { env: "dev" });
  const prodError = event("ecs.error", "db-01", { env: "prod", team: "data" });

  it("sends each event to every channel of every matching route, once per channel", () => {
    const routes = [
      route({ id: "all", channels: ["C_OPS"] }),
      route({ id: "prod", channels: ["C_PROD", "C_OPS"], match: { tags: { env: "prod" }, names: [] } }),
    ];
    const routed = routeEvents([prodStop, devStart, prodError], routes, "ecs");
    expect([...routed.keys()]).toEqual(["C_OPS", "C_PROD"]);
    expect(routed.get("C_OPS")).toEqual([prodStop, devStart, prodError]);
    expect(routed.get("C_PROD")).toEqual([prodStop, prodError]);
  });

  it("filters by watcher, event glob, severity, tag glob and name glob", () => {
    const routed = routeEvents(
      [prodStop, devStart, prodError],
      [
        route({ id: "w", channels: ["C_W"], watchers: ["other"] }),
        route({ id: "e", channels: ["C_E"], events: ["ecs.st*"] }),
        route({ id: "s", channels: ["C_S"], minSeverity: "critical" }),
        route({ id: "t", channels: ["C_T"], match: { tags: { team: "da*" }, names: [] } }),
        route({ id: "n", channels: ["C_N"], match: { tags: {}, names: ["dev-*", "nothing"] } }),
      ],
      "ecs",
    );
    expect(routed.has("C_W")).toBe(false);
    expect(routed.get("C_E")).toEqual([prodStop, devStart]);
    expect(routed.get("C_S")).toEqual([prodError]);
    expect(routed.get("C_T")).toEqual([prodError]);
    expect(routed.get("C_N")).toEqual([devStart]);
  });
});
