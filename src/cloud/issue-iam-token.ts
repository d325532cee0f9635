import { z } from "zod";
import type { IssuedToken } from "./create-authenticator.js";
import type { Transport } from "./create-transport.js";
import { CloudError, ErrorCodes } from "./errors.js";

const tokenBody = z.object({
  token: z
    .object({
      expires_at: z.string().nullish(),
      project: z.object({ id: z.string().nullish() }).nullish(),
    })
    .nullish(),
});

/**
 * `POST /v3/auth/tokens` with an IAM user's password, scoped to the project (by ID when known, else
 * by the region's project name). The token is the `X-Subject-Token` response header.
 * Retried like a read: issuing a token has no side effect worth reconciling.
 */
export async function issueIamToken(
  transport: Transport,
  params: {
    iamEndpoint: string;
    domain: string;
    username: string;
    password: string;
    region: string;
    projectId?: string;
  },
  signal?: AbortSignal,
): Promise<IssuedToken> {
  const operation = "iam.issueToken";
  const res = await transport.send({
    method: "POST",
    endpoint: params.iamEndpoint,
    path: "/v3/auth/tokens",
    body: {
      auth: {
        identity: {
          methods: ["password"],
          password: {
            user: { name: params.username, password: params.password, domain: { name: params.domain } },
          },
        },
        scope: { project: params.projectId ? { id: params.projectId } : { name: params.region } },
      },
    },
    operation,
    authenticate: false,
    retry: "read",
    signal,
  });
  const token = res.headers["x-subject-token"];
  if (!token)
    throw new CloudError({
      status: res.status,
      code: ErrorCodes.INVALID_RESPONSE,
      message: `${operation}: response without X-Subject-Token`,
      requestId: res.requestId,
      retryable: false,
      operation,
    });
  const body = tokenBody.safeParse(res.json);
  const expiresAt = body.success ? body.data.token?.expires_at : undefined;
  const expiresAtMs = expiresAt ? Date.parse(expiresAt) : Number.NaN;
  return {
    token,
    expiresAtMs: Number.isNaN(expiresAtMs) ? undefined : expiresAtMs,
    projectId: (body.success ? body.data.token?.project?.id : undefined) ?? undefined,
  };
}
