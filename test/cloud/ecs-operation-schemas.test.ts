/**
 * The documented example responses of the ECS operations parse and map, with their quirks (null
 * ports in security group rules, strings for numbers, missing fields), and hostile variants do not
 * fail the whole response.
 */
import { describe, expect, it } from "vitest";
import {
  instanceActionsResponse,
  nicsResponse,
  projectTagsResponse,
  quotasResponse,
  securityGroupsResponse,
  serverGroupsResponse,
  taggedServersResponse,
  toProjectTags,
  toQuotas,
  toSecurityGroup,
  toServerAction,
  toServerGroup,
  toServerNic,
  toTaggedServerPage,
} from "../../src/cloud/ecs-operation-schemas.js";
import { getServerResponse, toServer } from "../../src/cloud/ecs-schemas.js";
import { findSystemDisk } from "../../src/cloud/find-system-disk.js";

describe("ECS operation response schemas", () => {
  it("maps the documented quotas example (5.7.1), tolerating strings and dropping junk", () => {
    const doc = quotasResponse.parse({
      absolute: {
        maxServerMeta: 128,
        maxTotalKeypairs: -1,
        totalRAMUsed: 75776,
        totalInstancesUsed: 21,
        maxTotalCores: 20480,
        maxTotalInstances: 2048,
        totalCoresUsed: 40,
        maxServerGroupMembers: 16,
        totalServerGroupsUsed: 2,
        maxTotalSpotInstances: 5,
      },
    });
    expect(toQuotas(doc)).toEqual({
      maxServerMeta: 128,
      maxTotalKeypairs: -1,
      totalRAMUsed: 75776,
      totalInstancesUsed: 21,
      maxTotalCores: 20480,
      maxTotalInstances: 2048,
      totalCoresUsed: 40,
      maxServerGroupMembers: 16,
      totalServerGroupsUsed: 2,
    });
    const odd = quotasResponse.parse({
      absolute: { maxTotalInstances: "100", totalCoresUsed: "lots", maxImageMeta: null },
    });
    expect(toQuotas(odd)).toEqual({ maxTotalInstances: 100 });
  });

  it("maps the documented security groups example (6.5.3) with its null ports and protocols", () => {
    const body = securityGroupsResponse.parse({
      security_groups: [
        {
          rules: [
            {
              from_port: null,
              group: { tenant_id: "bb11", name: "default" },
              ip_protocol: null,
              to_port: null,
              parent_group_id: "bc4a",
              ip_range: {},
              id: "bb3c",
            },
          ],
          tenant_id: "bb11",
          description: "default",
          id: "bc4a",
          name: "default",
        },
        {
          rules: [
            {
              from_port: 200,
              group: {},
              ip_protocol: "tcp",
              to_port: "400",
              parent_group_id: "b3e4",
              ip_range: { cidr: "0.0.0.0/0" },
              id: "3330",
            },
          ],
          id: "b3e4",
          name: "test-sg",
        },
      ],
    });
    expect((body.security_groups ?? []).map(toSecurityGroup)).toEqual([
      {
        id: "bc4a",
        name: "default",
        description: "default",
        rules: [{ id: "bb3c", remoteGroup: "default" }],
      },
      {
        id: "b3e4",
        name: "test-sg",
        rules: [{ id: "3330", ipProtocol: "tcp", fromPort: 200, toPort: 400, cidr: "0.0.0.0/0" }],
      },
    ]);
  });

  it("maps NICs (6.7.1), tags, tag query pages, ECS groups and instance actions", () => {
    const nics = nicsResponse.parse({
      interfaceAttachments: [
        {
          port_state: "ACTIVE",
          fixed_ips: [{ subnet_id: "f8a6", ip_address: "192.168.1.3" }],
          net_id: "3cb9",
          port_id: "ce53",
          mac_addr: "fa:16:3e:4c:2c:30",
        },
        { port_id: "no-ips" },
      ],
    });
    expect((nics.interfaceAttachments ?? []).map(toServerNic)).toEqual([
      {
        portId: "ce53",
        portState: "ACTIVE",
        netId: "3cb9",
        macAddr: "fa:16:3e:4c:2c:30",
        fixedIps: [{ subnetId: "f8a6", ipAddress: "192.168.1.3" }],
      },
      { portId: "no-ips", fixedIps: [] },
    ]);

    const tags = projectTagsResponse.parse({
      tags: [{ key: "key1", values: ["value1", null] }, { key: "bare" }],
    });
    expect(toProjectTags(tags)).toEqual([
      { key: "key1", values: ["value1"] },
      { key: "bare", values: [] },
    ]);

    const page = taggedServersResponse.parse({
      resources: [
        {
          resource_detail: null,
          resource_id: "cdfs",
          resource_name: "ecs_test",
          tags: [{ key: "key1", value: "value1" }, { key: "k2" }],
        },
      ],
      total_count: "1000",
    });
    expect(toTaggedServerPage(page)).toEqual({
      totalCount: 1000,
      servers: [
        {
          id: "cdfs",
          name: "ecs_test",
          tags: [
            { key: "key1", value: "value1" },
            { key: "k2", value: "" },
          ],
        },
      ],
    });
    expect(toTaggedServerPage(taggedServersResponse.parse({ resources: [] }))).toEqual({
      totalCount: 0,
      servers: [],
    });

    const groups = serverGroupsResponse.parse({
      server_groups: [
        { members: [], metadata: {}, id: "318b", policies: ["anti-affinity"], name: "SvrGrp-b9d6" },
        { id: "b8f4", metadata: { a: 1, b: null } },
      ],
    });
    expect((groups.server_groups ?? []).map(toServerGroup)).toEqual([
      { id: "318b", name: "SvrGrp-b9d6", policies: ["anti-affinity"], members: [], metadata: {} },
      { id: "b8f4", name: "", policies: [], members: [], metadata: { a: "1" } },
    ]);

    const actions = instanceActionsResponse.parse({
      instanceActions: [
        {
          instance_uuid: "e723",
          user_id: "752b",
          start_time: "2014-12-16T10:58:14.000000",
          request_id: "req-ee56",
          action: "resize",
          message: "Error",
          project_id: "8965",
        },
        { action: "create", message: null },
      ],
    });
    expect((actions.instanceActions ?? []).map(toServerAction)).toEqual([
      {
        action: "resize",
        requestId: "req-ee56",
        startTime: "2014-12-16T10:58:14.000000",
        message: "Error",
        userId: "752b",
      },
      { action: "create", requestId: "" },
    ]);
  });

  it("reads `locked` (microversion 2.9+) leniently into the server model", () => {
    const base = { id: "s1", name: "web-01", status: "ACTIVE" };
    expect(toServer(getServerResponse.parse({ server: { ...base, locked: true } }).server).locked).toBe(true);
    expect(toServer(getServerResponse.parse({ server: { ...base, locked: "False" } }).server).locked).toBe(
      false,
    );
    expect(
      toServer(getServerResponse.parse({ server: { ...base, locked: 7 } }).server).locked,
    ).toBeUndefined();
    expect(toServer(getServerResponse.parse({ server: base }).server).locked).toBeUndefined();
  });

  it("finds the system disk by boot index 0 only", () => {
    const disk = (volumeId: string, bootIndex?: number) => ({
      id: volumeId,
      volumeId,
      serverId: "s1",
      ...(bootIndex === undefined ? {} : { bootIndex }),
    });
    expect(findSystemDisk([disk("b", 1), disk("a", 0)])?.volumeId).toBe("a");
    expect(findSystemDisk([disk("b", 1), disk("c")])).toBeUndefined();
    expect(findSystemDisk([])).toBeUndefined();
  });
});
