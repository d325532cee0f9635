import { createPrng, deriveSeed } from "./create-prng.js";
import type { SimServer } from "./world-types.js";

/** Seconds since boot as the kernel prints them: `[   12.345678]`. */
function stamp(seconds: number): string {
  return `[${seconds.toFixed(6).padStart(12, " ")}]`;
}

function hostnameOf(server: SimServer): string {
  const h = server.name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return h || `host-${server.id.slice(0, 8)}`;
}

/**
 * The serial console log of a machine since its last boot, derived on demand (nothing is stored for
 * 10,000 servers): a kernel and cloud-init boot for Linux, a Cloudbase-Init run for Windows, the
 * power-down lines when the ECS is stopped, then whatever the control interface appended. The same
 * seed, server and boot time give the same lines.
 */
export function deriveConsoleLines(seed: number, server: SimServer): string[] {
  const prng = createPrng(deriveSeed(seed, "console", server.id, server.launchedAt));
  const host = hostnameOf(server);
  const boot = new Date(server.launchedAt).toUTCString();
  const lines: string[] = [];
  if (server.image.osType === "Windows") {
    lines.push(
      `${new Date(server.launchedAt).toISOString()} - cloudbaseinit.init - INFO - Cloudbase-Init Version: 1.1.4`,
      "cloudbaseinit.metadata.services.base - INFO - Metadata service loaded: 'HttpService'",
      `cloudbaseinit.plugins.common.sethostname - INFO - Setting hostname: ${host.toUpperCase().slice(0, 15)}`,
      "cloudbaseinit.plugins.common.networkconfig - INFO - Network adapter configured",
      `cloudbaseinit.plugins.windows.createuser - INFO - User 'Administrator' already exists`,
      "cloudbaseinit.init - INFO - Plugins execution done",
    );
  } else {
    let t = 0;
    const next = (line: string): void => {
      t += prng.int(1, 400_000) / 1_000_000;
      lines.push(`${stamp(t)} ${line}`);
    };
    lines.push(
      `${stamp(0)} Linux version ${server.image.kernelVersion} (mockbuild@build) #1 SMP ${boot}`,
      `${stamp(0)} Command line: BOOT_IMAGE=/vmlinuz-${server.image.kernelVersion} root=UUID=${prng.uuid()} ro console=tty0 console=ttyS0,115200n8`,
    );
    next("x86/fpu: Supporting XSAVE feature 0x001: 'x87 floating point registers'");
    next(`Memory: ${prng.int(900_000, 64_000_000)}K available`);
    next("Hypervisor detected: KVM");
    next("virtio_blk virtio2: [vda] 83886080 512-byte logical blocks (42.9 GB/40.0 GiB)");
    next("EXT4-fs (vda1): mounted filesystem with ordered data mode. Opts: (null)");
    next("systemd[1]: Detected virtualization kvm.");
    next(`systemd[1]: Set hostname to <${host}>.`);
    next("systemd[1]: Reached target Local File Systems.");
    next(`cloud-init[${prng.int(500, 900)}]: Cloud-init v. 23.1.2 running 'init' at ${boot}.`);
    lines.push(
      "ci-info: +--------+------+---------------+---------------+--------+-------------------+",
      "ci-info: | Device |  Up  |    Address    |      Mask     | Scope  |     Hw-Address    |",
      `ci-info: |  eth0  | True | ${server.privateIp.padEnd(13)} | 255.255.255.0 | global | ${server.mac} |`,
      "ci-info: +--------+------+---------------+---------------+--------+-------------------+",
    );
    if (server.keyName !== "")
      next(`cloud-init[${prng.int(900, 1200)}]: ssh-authorized-keys: injected key pair ${server.keyName}`);
    next("systemd[1]: Started OpenSSH server daemon.");
    next("systemd[1]: Reached target Multi-User System.");
    lines.push("", `${server.image.name} ${host} ttyS0`, "", `${host} login: `);
    if (server.status === "SHUTOFF") {
      next("systemd[1]: Stopping OpenSSH server daemon...");
      next("systemd[1]: Reached target Power-Off.");
      next("reboot: Power down");
    }
  }
  return [...lines, ...server.consoleLines];
}
