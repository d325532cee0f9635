import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/** Lowest port tried: above the well-known and most registered services' ports. */
const LOWEST = 10_000;

/** The first port of the kernel's ephemeral range (Linux's default where it cannot be read). */
function ephemeralFloor(): number {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/** Binds `port` (0: one the kernel picks) on 127.0.0.1 and releases it; undefined when it is taken. */
async function bindAndRelease(port: number): Promise<number | undefined> {
  const server = createServer();
  server.listen(port, "127.0.0.1");
  try {
    await once(server, "listening");
  } catch {
    return undefined;
  }
  const address = server.address();
  server.close();
  await once(server, "close");
  return address === null || typeof address === "string" ? undefined : address.port;
}

/**
 * A port on 127.0.0.1 that was free a moment ago, for a child process to listen on (or, unbound, for a
 * refused connection). Chosen below the kernel's ephemeral range, from which every outgoing connection takes its
 * local port: a port the kernel picks for `listen(0)` is in that range, and while a child starts (a second or
 * two), one of the connections of the tests running beside it could take it ("already in use"). Falls back to
 * a kernel-picked port where there is no room below the range.
 */
export async function findFreePort(): Promise<number> {
  const ceiling = ephemeralFloor();
  for (let attempt = 0; ceiling > LOWEST && attempt < 100; attempt++) {
    const port = await bindAndRelease(LOWEST + Math.floor(Math.random() * (ceiling - LOWEST)));
    if (port !== undefined) return port;
  }
  const port = await bindAndRelease(0);
  if (port === undefined) throw new Error("no free TCP port on 127.0.0.1");
  return port;
}
