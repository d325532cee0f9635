import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { findFreePort } from "./find-free-port.js";

describe("findFreePort", () => {
  it("gives a port below the kernel's ephemeral range that a server can listen on", async () => {
    const floor = Number(
      readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0],
    );
    const ports = await Promise.all(Array.from({ length: 20 }, () => findFreePort()));
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(floor);
    }
    const server = createServer().listen(ports[0], "127.0.0.1");
    await once(server, "listening");
    server.close();
    await once(server, "close");
  });
});
