import { z } from "zod";
import type { Transport } from "./create-transport.js";
import { CloudError } from "./errors.js";
import { parseResponse } from "./parse-response.js";

const projectsBody = z.object({
  projects: z
    .array(z.object({ id: z.string(), name: z.string().nullish(), enabled: z.boolean().nullish() }))
    .nullish(),
});

/** Finds the project named after the region via IAM `GET /v3/projects?name={region}` (authenticated). */
export async function lookupProjectId(
  transport: Transport,
  iamEndpoint: string,
  region: string,
  signal?: AbortSignal,
): Promise<string> {
  const operation = "iam.lookupProjectId";
  const res = await transport.send({
    method: "GET",
    endpoint: iamEndpoint,
    path: "/v3/projects",
    query: { name: region },
    operation,
    signal,
  });
  const projects = parseResponse(projectsBody, res, operation).projects ?? [];
  // The filter is applied by IAM; re-checked here in case an endpoint ignores it.
  const match = projects.find((p) => p.name === region);
  if (!match)
    throw new CloudError({
      status: res.status,
      code: "PROJECT_NOT_FOUND",
      message: `No IAM project named ${region}; set HUAWEICLOUD_SDK_PROJECT_ID`,
      requestId: res.requestId,
      retryable: false,
      operation,
    });
  return match.id;
}
