/**
 * `/hss ports` wording against hss-list-open-ports.txt: `unknow` (and the documents' `unknown`) is "port
 * without known risks", not a status HSS failed to read.
 */
import { expect, it } from "vitest";
import type { OpenPort } from "../../src/cloud/types.js";
import { buildOpenPortListView, isDangerous, sortPorts } from "../../src/views/build-open-port-list-view.js";
import { collectMrkdwn } from "../render/block-kit-test-helpers.js";
import { render } from "./view-test-helpers.js";

it("an `unknow` or `unknown` port reads 'no known risk'; a dangerous one stays flagged", () => {
  const ports: OpenPort[] = sortPorts([
    { port: 68, type: "UDP", status: "unknow", path: "/usr/sbin/dhclient", pid: 1507 },
    { port: 123, type: "UDP", status: "unknown", path: "/usr/sbin/chronyd", pid: 530 },
    { port: 2375, type: "TCP", status: "danger", path: "/usr/bin/dockerd", pid: 900 },
  ]);
  const { kit } = render(
    buildOpenPortListView({
      server: { id: "0b3c1d2e-0000-4000-8000-000000000001", name: "db-02" },
      ports,
      total: ports.length,
      dangerous: ports.filter(isDangerous).length,
      page: 1,
      dangerOnly: false,
    }),
  );
  const lines = collectMrkdwn(kit).flatMap((t) => t.split("\n"));
  expect(lines).toContain("• *68/UDP* — no known risk");
  expect(lines).toContain("• *123/UDP* — no known risk");
  expect(lines).toContain("• *:rotating_light: 2375/TCP* — *dangerous*");
  expect(lines.join("\n")).not.toContain("status unknown");
});
