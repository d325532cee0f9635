import { flavorSaleSpecs } from "./flavor-catalog.js";
import type { SimCore } from "./sim-core.js";
import type { SimDisk, SimFlavor, SimServer } from "./world-types.js";

/** Nova microversion as its minor number (`2.26` -> 26); 1 when the client did not ask for one. */
export function novaMicroversion(headers: Record<string, string | string[] | undefined>): number {
  const raw = headers["x-openstack-nova-api-version"] ?? headers["openstack-api-version"];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim().replace(/^compute\s+/i, "");
  if (!value) return 1;
  if (value === "latest") return 60;
  const m = /^2\.(\d+)$/.exec(value);
  return m ? Number(m[1]) : 1;
}

/** `2019-05-22T07:48:53Z` (Nova `created`/`updated`). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** `2019-05-22T07:48:19.000000` (Nova `launched_at`). */
function isoMicros(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000");
}

export function tagStrings(server: SimServer): string[] {
  return server.tags.map((t) => (t.value === "" ? t.key : `${t.key}=${t.value}`));
}

function metadata(server: SimServer, flavorId: string): Record<string, string> {
  return {
    "metering.image_id": server.image.id,
    "metering.imagetype": "gold",
    "metering.resourcespeccode": `${flavorId}.${server.image.osType.toLowerCase()}`,
    "metering.resourcetype": "1",
    image_name: server.image.name,
    os_type: server.image.osType,
    os_bit: "64",
    vpc_id: server.vpcId,
    charging_mode: "0",
  };
}

function fault(server: SimServer): Record<string, unknown> | undefined {
  return server.status === "ERROR"
    ? {
        code: 500,
        created: isoSeconds(server.updated),
        message: "An unexpected error occurred on the hypervisor.",
      }
    : undefined;
}

/** A server as `GET /v2.1/{project_id}/servers[/detail]` returns it (doc, Table 6-38). */
export function renderNovaServer(core: SimCore, server: SimServer, mv: number): Record<string, unknown> {
  const { projectId } = core.config;
  const flavor = core.store.flavors.get(server.flavorId);
  const base = `${core.baseUrl}/v2.1/${projectId}`;
  const addresses: Record<string, unknown[]> = {
    [server.networkId]: [
      {
        addr: server.privateIp,
        version: 4,
        "OS-EXT-IPS-MAC:mac_addr": server.mac,
        "OS-EXT-IPS:type": "fixed",
      },
      ...(server.publicIp
        ? [
            {
              addr: server.publicIp,
              version: 4,
              "OS-EXT-IPS-MAC:mac_addr": server.mac,
              "OS-EXT-IPS:type": "floating",
            },
          ]
        : []),
    ],
  };
  for (const nic of server.extraNics) {
    addresses[nic.networkId] ??= [];
    addresses[nic.networkId]!.push({
      addr: nic.ip,
      version: 4,
      "OS-EXT-IPS-MAC:mac_addr": nic.mac,
      "OS-EXT-IPS:type": "fixed",
    });
  }
  const out: Record<string, unknown> = {
    id: server.id,
    name: server.name,
    status: server.status,
    created: isoSeconds(server.created),
    updated: isoSeconds(server.updated),
    flavor:
      mv >= 47
        ? {
            vcpus: flavor?.vcpus ?? 0,
            ram: flavor?.ramMb ?? 0,
            disk: 0,
            ephemeral: 0,
            swap: 0,
            original_name: server.flavorId,
            extra_specs: flavor ? extraSpecs(flavor, core.store.availabilityZones) : {},
          }
        : {
            id: server.flavorId,
            links: [{ rel: "bookmark", href: `${core.baseUrl}/${projectId}/flavors/${server.flavorId}` }],
          },
    image: {
      id: server.image.id,
      links: [{ rel: "bookmark", href: `${core.baseUrl}/${projectId}/images/${server.image.id}` }],
    },
    tenant_id: projectId,
    key_name: server.keyName || null,
    user_id: core.config.userId,
    metadata: metadata(server, server.flavorId),
    hostId: server.hostId,
    addresses,
    security_groups: server.securityGroups.map((g) => ({ name: g.name })),
    links: [
      { rel: "self", href: `${base}/servers/${server.id}` },
      { rel: "bookmark", href: `${core.baseUrl}/${projectId}/servers/${server.id}` },
    ],
    "OS-DCF:diskConfig": "MANUAL",
    "OS-EXT-AZ:availability_zone": server.availabilityZone,
    "OS-EXT-SRV-ATTR:host": server.hypervisorHostname,
    "OS-EXT-SRV-ATTR:hypervisor_hostname": server.hypervisorHostname,
    "OS-EXT-SRV-ATTR:instance_name": server.instanceName,
    "OS-EXT-STS:power_state": server.powerState,
    "OS-EXT-STS:task_state": server.taskState,
    "OS-EXT-STS:vm_state": server.vmState,
    "OS-SRV-USG:launched_at": isoMicros(server.launchedAt),
    "OS-SRV-USG:terminated_at": null,
    "os-extended-volumes:volumes_attached": server.disks.map((d) =>
      mv >= 3 ? { id: d.id, delete_on_termination: d.deleteOnTermination } : { id: d.id },
    ),
    accessIPv4: "",
    accessIPv6: "",
    config_drive: "",
    progress: 0,
  };
  const f = fault(server);
  if (f) out.fault = f;
  // Tables 6-46/6-57: "only available in DeH scenarios", arrays of strings.
  if (server.dedicatedHostId !== null)
    out["os:scheduler_hints"] = { tenancy: ["dedicated"], dedicated_host_id: [server.dedicatedHostId] };
  if (mv >= 3) {
    Object.assign(out, {
      "OS-EXT-SRV-ATTR:hostname": hostname(server),
      "OS-EXT-SRV-ATTR:reservation_id": `r-${server.instanceName.slice(-8)}`,
      "OS-EXT-SRV-ATTR:launch_index": 0,
      "OS-EXT-SRV-ATTR:kernel_id": "",
      "OS-EXT-SRV-ATTR:ramdisk_id": "",
      "OS-EXT-SRV-ATTR:root_device_name": "/dev/vda",
      "OS-EXT-SRV-ATTR:user_data": null,
    });
  }
  if (mv >= 9) out.locked = server.locked;
  if (mv >= 16) out.host_status = "UP";
  if (mv >= 19) out.description = server.description;
  if (mv >= 26) out.tags = tagStrings(server);
  return out;
}

function hostname(server: SimServer): string {
  const h = server.name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return h || `host-${server.id.slice(0, 8)}`;
}

/** A server as the native ECS API (`/v1/{project_id}/cloudservers/…`) returns it (SDK `ServerDetail`). */
export function renderV1Server(core: SimCore, server: SimServer): Record<string, unknown> {
  const nova = renderNovaServer(core, server, 26);
  const flavor = core.store.flavors.get(server.flavorId);
  const addresses = [
    {
      version: "4",
      addr: server.privateIp,
      "OS-EXT-IPS:type": "fixed",
      "OS-EXT-IPS-MAC:mac_addr": server.mac,
      "OS-EXT-IPS:port_id": server.portId,
      primary: true,
    },
    ...(server.publicIp
      ? [
          {
            version: "4",
            addr: server.publicIp,
            "OS-EXT-IPS:type": "floating",
            "OS-EXT-IPS-MAC:mac_addr": server.mac,
            "OS-EXT-IPS:port_id": server.portId,
            primary: false,
          },
        ]
      : []),
    ...server.extraNics.map((nic) => ({
      version: "4",
      addr: nic.ip,
      "OS-EXT-IPS:type": "fixed",
      "OS-EXT-IPS-MAC:mac_addr": nic.mac,
      "OS-EXT-IPS:port_id": nic.portId,
      primary: false,
    })),
  ];
  delete nova.links;
  delete nova.progress;
  return {
    ...nova,
    flavor: {
      id: server.flavorId,
      name: server.flavorId,
      disk: "0",
      vcpus: String(flavor?.vcpus ?? 0),
      ram: String(flavor?.ramMb ?? 0),
    },
    image: { id: server.image.id },
    addresses: { [server.vpcId]: addresses },
    security_groups: server.securityGroups.map((g) => ({ name: g.name, id: g.id })),
    "os-extended-volumes:volumes_attached": server.disks.map((d) => ({
      id: d.id,
      delete_on_termination: String(d.deleteOnTermination),
      bootIndex: String(d.bootIndex),
      device: d.device,
    })),
    enterprise_project_id: "0",
    sys_tags: [{ key: "_sys_enterprise_project_id", value: "0" }],
    cpu_options: {},
    hypervisor: { hypervisor_type: "kvm", csd_hypervisor: null },
    auto_terminate_time: "",
    progress: 0,
  };
}

export function extraSpecs(flavor: SimFlavor, azs: readonly string[]): Record<string, string> {
  return {
    "ecs:virtualization_env_types": "CloudCompute",
    "ecs:generation": flavor.generation,
    "ecs:performancetype": flavor.performanceType,
    resource_type: flavor.resourceType,
    ...flavorSaleSpecs(flavor.id, azs),
  };
}

/** A flavor as `GET /v1/{project_id}/cloudservers/flavors` returns it (doc, Table 5-39). */
export function renderV1Flavor(core: SimCore, flavor: SimFlavor): Record<string, unknown> {
  const { projectId } = core.config;
  return {
    id: flavor.id,
    name: flavor.id,
    vcpus: String(flavor.vcpus),
    ram: flavor.ramMb,
    disk: "0",
    swap: "",
    links: [
      { rel: "self", href: `${core.baseUrl}/v1.0/${projectId}/flavors/${flavor.id}`, type: null },
      { rel: "bookmark", href: `${core.baseUrl}/${projectId}/flavors/${flavor.id}`, type: null },
    ],
    "OS-FLV-EXT-DATA:ephemeral": 0,
    rxtx_factor: 1,
    "OS-FLV-DISABLED:disabled": false,
    rxtx_quota: null,
    rxtx_cap: null,
    "os-flavor-access:is_public": true,
    os_extra_specs: extraSpecs(flavor, core.store.availabilityZones),
  };
}

/** Nova flavor (`/v2.1/{project_id}/flavors[/detail]`). */
export function renderNovaFlavor(core: SimCore, flavor: SimFlavor, detail: boolean): Record<string, unknown> {
  const { projectId } = core.config;
  const links = [
    { rel: "self", href: `${core.baseUrl}/v2.1/${projectId}/flavors/${flavor.id}` },
    { rel: "bookmark", href: `${core.baseUrl}/${projectId}/flavors/${flavor.id}` },
  ];
  if (!detail) return { id: flavor.id, name: flavor.id, links };
  return {
    id: flavor.id,
    name: flavor.id,
    links,
    vcpus: flavor.vcpus,
    ram: flavor.ramMb,
    disk: 0,
    swap: "",
    "OS-FLV-EXT-DATA:ephemeral": 0,
    "OS-FLV-DISABLED:disabled": false,
    "os-flavor-access:is_public": true,
    rxtx_factor: 1,
  };
}

/** `volumeAttachments` item of the `block_device` APIs (doc, Table 5-55; `size` is an integer). */
export function renderBlockDevice(server: SimServer, disk: SimDisk): Record<string, unknown> {
  return {
    pciAddress: disk.pciAddress,
    volumeId: disk.id,
    device: disk.device,
    serverId: server.id,
    id: disk.id,
    size: disk.sizeGb,
    bootIndex: disk.bootIndex,
    bus: disk.bus,
  };
}

/** `volumeAttachments` item of the `os-volume_attachments` APIs (doc, Table 6-143). */
export function renderVolumeAttachment(server: SimServer, disk: SimDisk): Record<string, unknown> {
  return { device: disk.device, id: disk.id, serverId: server.id, volumeId: disk.id };
}
