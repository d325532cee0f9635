/**
 * The documented example responses (ECS and HSS API references) parse and map as expected,
 * including their known quirks: numbers as strings, `"image": ""`, `labels: [""]`, port status `unknow`.
 */
import { describe, expect, it } from "vitest";
import {
  blockDevicesResponse,
  getServerResponse,
  jobResponse,
  listFlavorsResponse,
  listServersResponse,
  toBlockDevice,
  toFlavor,
  toJob,
  toServer,
  toVolumeAttachment,
  volumeAttachmentsResponse,
} from "../../src/cloud/ecs-schemas.js";
import {
  isUnknownPortStatus,
  listHostsResponse,
  listPortsResponse,
  listScanTaskHostsResponse,
  listScanTasksResponse,
  toHssHost,
  toOpenPort,
  toScanTask,
  toScanTaskHost,
} from "../../src/cloud/hss-schemas.js";
import { parseRetryAfter } from "../../src/cloud/parse-retry-after.js";

describe("ECS response schemas", () => {
  it("maps the documented server detail example", () => {
    const body = getServerResponse.parse({
      server: {
        addresses: {
          "68269e6e-4a27-441b-8029-35373ad50bd9": [
            {
              addr: "192.168.0.3",
              version: 4,
              "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:1b:35:78",
              "OS-EXT-IPS:type": "fixed",
            },
          ],
        },
        created: "2012-08-20T21:11:09Z",
        flavor: { id: "s3.xlarge.2", links: [{ href: "http://x", rel: "bookmark" }] },
        hostId: "65201c14",
        id: "893c7791-f1df-4c3d-8383-3caae9656c62",
        image: "",
        metadata: {},
        name: "new-server-test",
        progress: 0,
        status: "ACTIVE",
        tenant_id: "openstack",
        updated: "2012-08-20T21:11:09Z",
        user_id: "fake",
        "OS-EXT-STS:task_state": null,
        "OS-EXT-AZ:availability_zone": "az1",
        tags: ["env=prod"],
        "os-extended-volumes:volumes_attached": [{ id: "v1", delete_on_termination: "False" }],
        some_future_field: { anything: true },
      },
    });
    expect(toServer(body.server)).toEqual({
      id: "893c7791-f1df-4c3d-8383-3caae9656c62",
      name: "new-server-test",
      status: "ACTIVE",
      flavor: { id: "s3.xlarge.2" },
      addresses: [
        {
          network: "68269e6e-4a27-441b-8029-35373ad50bd9",
          addr: "192.168.0.3",
          version: 4,
          type: "fixed",
          macAddr: "fa:16:3e:1b:35:78",
        },
      ],
      tags: ["env=prod"],
      availabilityZone: "az1",
      created: "2012-08-20T21:11:09Z",
      updated: "2012-08-20T21:11:09Z",
      metadata: {},
      volumeIds: ["v1"],
      volumes: [{ id: "v1", deleteOnTermination: false }],
      securityGroups: [],
      tenantId: "openstack",
      taskState: null,
    });
  });

  it("keeps unknown statuses verbatim and tolerates microversion 2.47 flavors", () => {
    const body = listServersResponse.parse({
      servers: [
        {
          id: "a",
          name: "n",
          status: "SOME_NEW_STATUS",
          flavor: { original_name: "c7.large.2", vcpus: 2, ram: 4096, disk: 0 },
          image: { id: "img" },
        },
      ],
    });
    expect(toServer(body.servers![0]!)).toMatchObject({
      status: "SOME_NEW_STATUS",
      flavor: { id: "c7.large.2", name: "c7.large.2", vcpus: 2, ramMb: 4096 },
      imageId: "img",
    });
  });

  it("maps the documented flavor example (vcpus as a string)", () => {
    const body = listFlavorsResponse.parse({
      flavors: [
        {
          id: "c3.2xlarge.2",
          name: "c3.2xlarge.2",
          vcpus: "8",
          ram: 16384,
          disk: "0",
          swap: "",
          rxtx_quota: null,
          "OS-FLV-DISABLED:disabled": false,
          "os-flavor-access:is_public": true,
          os_extra_specs: {
            "ecs:virtualization_env_types": "CloudCompute",
            "ecs:generation": "c3",
            "ecs:performancetype": "computingv3",
            resource_type: "IOoptimizedC3_2",
          },
        },
      ],
    });
    expect(toFlavor(body.flavors![0]!)).toMatchObject({
      id: "c3.2xlarge.2",
      vcpus: 8,
      ramMb: 16384,
      performanceType: "computingv3",
      generation: "c3",
      disabled: false,
      isPublic: true,
    });
  });

  it("maps the documented job example", () => {
    const body = jobResponse.parse({
      status: "SUCCESS",
      entities: {
        sub_jobs_total: 1,
        sub_jobs: [
          {
            status: "SUCCESS",
            entities: { server_id: "bae51750-0089-41a1-9b18-5c777978ff6d" },
            job_id: "2c9eb2c5544cbf6101544f0635672b60",
            job_type: "createSingleServer",
            begin_time: "2016-04-25T20:04:47.591Z",
            end_time: "2016-04-25T20:08:21.328Z",
            error_code: null,
            fail_reason: null,
          },
        ],
      },
      job_id: "2c9eb2c5544cbf6101544f0602af2b4f",
      job_type: "createServer",
      begin_time: "2016-04-25T20:04:34.604Z",
      end_time: "2016-04-25T20:08:41.593Z",
      error_code: null,
      fail_reason: null,
    });
    const job = toJob(body, "ignored");
    expect(job).toMatchObject({
      jobId: "2c9eb2c5544cbf6101544f0602af2b4f",
      status: "SUCCESS",
      subJobsTotal: 1,
      errorCode: null,
      subJobs: [
        {
          serverId: "bae51750-0089-41a1-9b18-5c777978ff6d",
          status: "SUCCESS",
          jobType: "createSingleServer",
        },
      ],
    });
  });

  it("maps volume attachments", () => {
    const body = volumeAttachmentsResponse.parse({
      volumeAttachments: [
        { device: "/dev/sdd", id: "a2", serverId: "s", volumeId: "a2", size: "40", bootIndex: 0 },
      ],
    });
    expect(body.volumeAttachments!.map((v) => toVolumeAttachment(v, "s"))).toEqual([
      { id: "a2", volumeId: "a2", serverId: "s", device: "/dev/sdd" },
    ]);
  });

  it("maps per-disk details of volumes_attached: Nova booleans, v1 strings, junk read as absent", () => {
    const volumesOf = (list: unknown[]) =>
      toServer(
        getServerResponse.parse({ server: { id: "s", "os-extended-volumes:volumes_attached": list } }).server,
      );
    // Nova, microversion >= 2.3 (doc Table 6-42).
    expect(
      volumesOf([
        { id: "sys", delete_on_termination: true },
        { id: "data", delete_on_termination: false },
      ]),
    ).toMatchObject({
      volumeIds: ["sys", "data"],
      volumes: [
        { id: "sys", deleteOnTermination: true },
        { id: "data", deleteOnTermination: false },
      ],
    });
    // Native v1 (doc Table 8-16): strings, with bootIndex and device.
    expect(
      volumesOf([
        { id: "sys", delete_on_termination: "true", bootIndex: "0", device: "/dev/vda" },
        { id: "data", delete_on_termination: "False", bootIndex: "1", device: "/dev/vdb" },
      ]).volumes,
    ).toEqual([
      { id: "sys", deleteOnTermination: true, bootIndex: 0, device: "/dev/vda" },
      { id: "data", deleteOnTermination: false, bootIndex: 1, device: "/dev/vdb" },
    ]);
    // Unexpected values do not fail the listing; they read as absent.
    expect(
      volumesOf([
        { id: "x", delete_on_termination: "maybe", bootIndex: true, device: null, extra: 1 },
        { id: "y", delete_on_termination: true },
      ]).volumes,
    ).toEqual([{ id: "x" }, { id: "y", deleteOnTermination: true }]);
    // Bare IDs (microversion < 2.3): nothing beyond volumeIds.
    const bare = volumesOf([{ id: "a" }, { id: "b" }]);
    expect(bare.volumeIds).toEqual(["a", "b"]);
    expect(bare).not.toHaveProperty("volumes");
  });

  it("maps the documented block_device example (size as a string, integer bootIndex)", () => {
    const body = blockDevicesResponse.parse({
      attachableQuantity: { free_scsi: 59, free_blk: 23, free_disk: 59 },
      volumeAttachments: [
        {
          pciAddress: "0000:02:01.0",
          volumeId: "a26887c6-c47b-4654-abb5-dfadf7d3f803",
          device: "/dev/vda",
          serverId: "4d8c3732-a248-40ed-bebc-539a6ffd25c0",
          id: "a26887c6-c47b-4654-abb5-dfadf7d3f803",
          size: "40",
          bootIndex: 0,
          bus: "virtio",
        },
        { volumeId: "v2", size: 10, bootIndex: "1" },
      ],
    });
    expect(body.volumeAttachments!.map((v) => toBlockDevice(v, "srv"))).toEqual([
      {
        id: "a26887c6-c47b-4654-abb5-dfadf7d3f803",
        volumeId: "a26887c6-c47b-4654-abb5-dfadf7d3f803",
        serverId: "4d8c3732-a248-40ed-bebc-539a6ffd25c0",
        device: "/dev/vda",
        sizeGb: 40,
        bootIndex: 0,
      },
      { id: "v2", volumeId: "v2", serverId: "srv", sizeGb: 10, bootIndex: 1 },
    ]);
  });
});

describe("HSS response schemas", () => {
  it("maps the documented host example", () => {
    const body = listHostsResponse.parse({
      total_num: 1,
      data_list: [
        {
          agent_id: "2758d2a6",
          agent_status: "online",
          asset: 0,
          asset_value: "common",
          baseline: 0,
          charging_mode: "packet_cycle",
          detect_result: "risk",
          enterprise_project_id: "all_granted_eps",
          enterprise_project_name: "default",
          group_id: "7c659ea3",
          group_name: "default",
          host_id: "caa958ad-a481-4d46-b51e-6861b8864515",
          host_name: "ecs-r00431580-ubuntu",
          host_status: "ACTIVE",
          intrusion: 0,
          expire_time: -1,
          os_bit: "64",
          os_type: "Linux",
          outside_host: false,
          private_ip: "192.168.0.182",
          protect_status: "opened",
          protect_interrupt: false,
          public_ip: "100.85.123.9",
          version: "hss.version.wtp",
          vulnerability: 97,
          labels: [""],
          agent_create_time: 0,
          open_time: 0,
        },
      ],
    });
    expect(body.total_num).toBe(1);
    expect(toHssHost(body.data_list![0]!)).toMatchObject({
      hostId: "caa958ad-a481-4d46-b51e-6861b8864515",
      hostName: "ecs-r00431580-ubuntu",
      agentStatus: "online",
      protectStatus: "opened",
      version: "hss.version.wtp",
      vulnerability: 97,
      expireTime: -1,
      outsideHost: false,
      labels: [],
    });
  });

  it("keeps the port status `unknow` as returned", () => {
    const body = listPortsResponse.parse({
      data_list: [
        {
          agent_id: "eb5d",
          container_id: "",
          host_id: "dd91cd32",
          laddr: "0.0.0.0",
          path: "/usr/sbin/dhclient",
          pid: 1507,
          port: 68,
          status: "unknow",
          type: "UDP",
        },
      ],
      total_num: 1,
    });
    const port = toOpenPort(body.data_list![0]!);
    expect(port).toMatchObject({ port: 68, status: "unknow", type: "UDP", pid: 1507 });
    expect(isUnknownPortStatus(port.status)).toBe(true);
    expect(isUnknownPortStatus("unknown")).toBe(true);
    expect(isUnknownPortStatus("danger")).toBe(false);
  });

  it("maps the documented scan task host example", () => {
    const body = listScanTaskHostsResponse.parse({
      total_num: 1,
      data_list: [
        {
          host_id: "h",
          host_name: "ecs-ubuntu-abc123",
          public_ip: "112.10.10.3",
          private_ip: "192.168.10.1",
          asset_value: "important",
          scan_status: "failed",
          failed_reasons: [{ vul_type: "linux_vul", failed_reason: "this_is_failed_reason" }],
        },
      ],
    });
    expect(toScanTaskHost(body.data_list![0]!)).toEqual({
      hostId: "h",
      hostName: "ecs-ubuntu-abc123",
      publicIp: "112.10.10.3",
      privateIp: "192.168.10.1",
      assetValue: "important",
      scanStatus: "failed",
      failedReasons: [{ vulType: "linux_vul", failedReason: "this_is_failed_reason" }],
    });
  });

  it("maps scan tasks (SDK VulScanTaskInfo), tolerating `task_status`, new values and string numbers", () => {
    const body = listScanTasksResponse.parse({
      total_num: "3",
      data_list: [
        {
          id: "t1",
          scan_type: "manual",
          start_time: 1_700_000_000_000,
          end_time: -1,
          scan_vul_types: ["linux_vul"],
          status: "running",
          scanning_host_num: 2,
          success_host_num: 1,
          failed_host_num: 0,
          estimated_time: 5,
          some_future_field: { x: 1 },
        },
        { id: "t2", task_status: "finished", failed_host_num: "4", scan_vul_types: null, end_time: null },
        { id: "t3", status: "paused_by_admin", scan_type: "continuous" },
        { id: "t4" },
      ],
    });
    expect(body.total_num).toBe(3);
    expect(body.data_list!.map(toScanTask)).toEqual([
      {
        id: "t1",
        status: "running",
        scanType: "manual",
        startTime: 1_700_000_000_000,
        endTime: -1,
        scanVulTypes: ["linux_vul"],
        scanningHostNum: 2,
        successHostNum: 1,
        failedHostNum: 0,
        estimatedTime: 5,
      },
      { id: "t2", status: "finished", failedHostNum: 4, scanVulTypes: [] },
      { id: "t3", status: "paused_by_admin", scanType: "continuous", scanVulTypes: [] },
      { id: "t4", status: "unknown", scanVulTypes: [] },
    ]);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.UTC(2024, 0, 1);
  it.each([
    ["3", 3000],
    ["0", 0],
    ["1.5", 1500],
    [new Date(now + 5000).toUTCString(), 5000],
    [new Date(now - 5000).toUTCString(), 0],
    ["", undefined],
    ["soon", undefined],
    ["-1", undefined],
    [undefined, undefined],
  ])("parses %j", (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});
