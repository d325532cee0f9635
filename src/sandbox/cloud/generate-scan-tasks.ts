/** The vulnerability scan tasks of a generated world, drawn from its machines. */
import type { Machine } from "./build-machine.js";
import type { Prng } from "./create-prng.js";
import { DAY, MINUTE, WORLD_EPOCH } from "./world-template.js";
import type { SimScanHost, SimScanTask } from "./world-types.js";

const FAILURE_REASONS: readonly (readonly [string, string])[] = [
  ["linux_vul", "The agent is offline."],
  ["linux_vul", "Scan timed out."],
  ["app_vul", "Insufficient disk space on the server."],
  ["web_cms", "Failed to obtain the software list."],
];

function scanHost(m: Machine, scanStatus: SimScanHost["scanStatus"], reasons: SimScanHost["failedReasons"]) {
  return {
    hostId: m.server.id,
    hostName: m.server.name,
    publicIp: m.server.publicIp ?? "",
    privateIp: m.server.privateIp,
    assetValue: m.host.assetValue,
    scanStatus,
    failedReasons: reasons,
  } satisfies SimScanHost;
}

/** The instant the seeded scan tasks lead up to by default: 400 days into the world, when every server exists. */
export const DEFAULT_SCAN_TASKS_END = WORLD_EPOCH + 400 * DAY;

/**
 * Three vulnerability scan tasks: a finished full Linux scan, a running one, a Windows scan. Hosts are
 * the machines with an HSS agent; `prng` is drawn in machine order, so the same inputs give the same tasks.
 * They lead up to `end`: the running one started 10 minutes before it, the others a day and two days before.
 */
export function generateScanTasks(
  prng: Prng,
  machines: Machine[],
  end: number = DEFAULT_SCAN_TASKS_END,
): SimScanTask[] {
  const withAgent = machines.filter(
    (m) => m.host.agentStatus === "online" || m.host.agentStatus === "offline",
  );
  const linux = withAgent.filter((m) => m.host.osType === "Linux");
  const windows = withAgent.filter((m) => m.host.osType === "Windows");
  const full: SimScanTask = {
    id: prng.hex(32),
    scanType: "schedule",
    startTime: end - 2 * DAY,
    endTime: end - 2 * DAY + 47 * MINUTE,
    vulTypes: ["linux_vul", "app_vul", "web_cms"],
    hosts: linux.map((m) => {
      const fails = m.server.name === "db-02" || m.host.agentStatus === "offline" || prng.chance(0.08);
      if (!fails || m.server.name === "web-01") return scanHost(m, "success", []);
      const [vulType, failedReason] =
        m.host.agentStatus === "offline" ? FAILURE_REASONS[0]! : prng.pick(FAILURE_REASONS.slice(1));
      return scanHost(m, "failed", [{ vulType, failedReason }]);
    }),
  };
  const running: SimScanTask = {
    id: prng.hex(32),
    scanType: "manual",
    startTime: end - 10 * MINUTE,
    endTime: -1,
    vulTypes: ["linux_vul"],
    hosts: linux.slice(0, 30).map((m, i) => scanHost(m, i % 3 === 0 ? "scanning" : "success", [])),
  };
  const win: SimScanTask = {
    id: prng.hex(32),
    scanType: "schedule",
    startTime: end - DAY,
    endTime: end - DAY + 12 * MINUTE,
    vulTypes: ["windows_vul"],
    hosts: windows.map((m) =>
      prng.chance(0.2)
        ? scanHost(m, "failed", [
            { vulType: "windows_vul", failedReason: "Windows Update service is disabled." },
          ])
        : scanHost(m, "success", []),
    ),
  };
  return [full, running, win];
}
