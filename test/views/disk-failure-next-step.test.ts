/**
 * A failed attach or detach of a disk says one next step after the cloud's reason (pure): `/ecs show` of the
 * server to see its disks, and for an attach that asking again checks first whether the disk is still free.
 * Other failed jobs are shown as before.
 */
import { describe, expect, it } from "vitest";
import type { Job } from "../../src/cloud/types.js";
import { buildJobView } from "../../src/views/build-job-view.js";
import { JOB } from "./fixtures.js";
import { render } from "./view-test-helpers.js";

const SERVER = "3f1c0002-9a2b-4c7d-8e1f-0b2a3c4d5e6f";

/** A failed disk job of one server, as `GET /v1/{project_id}/jobs/{job_id}` gives it. */
function diskJob(kind: "attach" | "detach", reason: string): Job {
  return {
    jobId: "ff80808288d41e1b018990260955aaaa",
    jobType: `${kind}Volume`,
    status: "FAIL",
    beginTime: "2024-05-22T07:48:53.000+0000",
    endTime: "2024-05-22T07:49:20.000+0000",
    serverId: SERVER,
    errorCode: "Ecs.0205",
    failReason: reason,
    subJobsTotal: 1,
    subJobs: [
      {
        jobId: "sub-1",
        jobType: `${kind}SingleVolume`,
        status: "FAIL",
        serverId: SERVER,
        errorCode: "Ecs.0205",
        failReason: reason,
      },
    ],
  };
}

describe("/ecs job of a failed disk job", () => {
  it("attach: the reason, then /ecs show of the server and whether the disk is still free", async () => {
    const { kit, golden } = render(
      buildJobView({ job: diskJob("attach", "Volume in-use cannot be attached") }),
    );
    const text = JSON.stringify(kit);
    expect(text).toContain("Volume in-use cannot be attached");
    expect(text).toContain(
      `Next: \`/ecs show ${SERVER}\` to see its disks; asking again checks first whether the disk is still free.`,
    );
    await expect(golden).toMatchFileSnapshot("golden/job-attach-failed.json");
  });

  it("detach: the reason, then /ecs show of the server to see whether the disk is still attached", async () => {
    const { kit, golden } = render(buildJobView({ job: diskJob("detach", "Detach volume failed") }));
    expect(JSON.stringify(kit)).toContain(
      `Next: \`/ecs show ${SERVER}\` to see its disks, and whether the disk is still attached.`,
    );
    await expect(golden).toMatchFileSnapshot("golden/job-detach-failed.json");
  });

  it("another failed job (a stop) says no disk step", () => {
    expect(JSON.stringify(render(buildJobView({ job: JOB })).kit)).not.toContain("Next:");
  });
});
