import {
  type Authenticator,
  createAkSkAuthenticator,
  createTokenAuthenticator,
  type TokenAuthenticator,
} from "./create-authenticator.js";
import { createEcsApi } from "./create-ecs-api.js";
import { createHssApi } from "./create-hss-api.js";
import {
  createTransport,
  type RetryOptions,
  type Transport,
  type TransportDeps,
} from "./create-transport.js";
import { issueIamToken } from "./issue-iam-token.js";
import type { CloudConfig } from "./load-cloud-config.js";
import { lookupProjectId } from "./lookup-project-id.js";
import type { CloudClient } from "./types.js";

export interface CloudClientDeps extends TransportDeps {
  /** Overrides of the retry policy (attempts, backoff base/cap, Retry-After cap, throttle resends). */
  retry?: Partial<RetryOptions>;
}

/**
 * The Huawei Cloud client: ECS and HSS operations over one pooled, signed, retrying transport.
 * The project ID is the configured one, or looked up once via IAM on first use.
 */
export function createCloudClient(config: CloudConfig, deps: CloudClientDeps = {}): CloudClient {
  const now = deps.now ?? Date.now;
  let transport: Transport | undefined;
  const transportRef = (): Transport => {
    if (!transport) throw new Error("transport not initialised");
    return transport;
  };

  let tokenAuth: TokenAuthenticator | undefined;
  let authenticator: Authenticator;
  if (config.auth.kind === "aksk") {
    authenticator = createAkSkAuthenticator(config.auth);
  } else {
    const auth = config.auth;
    tokenAuth = createTokenAuthenticator({
      now,
      issueToken: (signal) =>
        issueIamToken(
          transportRef(),
          {
            iamEndpoint: config.endpoints.iam,
            domain: auth.domain,
            username: auth.username,
            password: auth.password,
            region: config.region,
            projectId: config.projectId,
          },
          signal,
        ),
    });
    authenticator = tokenAuth;
  }

  transport = createTransport(
    {
      connectTimeoutMs: config.connectTimeoutMs,
      requestTimeoutMs: config.requestTimeoutMs,
      retry: deps.retry,
      authenticator,
    },
    deps,
  );

  let projectIdPromise: Promise<string> | undefined;
  const projectId = (signal?: AbortSignal): Promise<string> => {
    if (config.projectId !== undefined) return Promise.resolve(config.projectId);
    if (!projectIdPromise) {
      projectIdPromise = (async () => {
        const fromToken = tokenAuth ? (await tokenAuth.current(signal)).projectId : undefined;
        return fromToken ?? lookupProjectId(transportRef(), config.endpoints.iam, config.region, signal);
      })();
      // A failed lookup is not cached: the next call tries again.
      projectIdPromise.catch(() => {
        projectIdPromise = undefined;
      });
    }
    return projectIdPromise;
  };

  return {
    ecs: createEcsApi({ transport, endpoint: config.endpoints.ecs, projectId }),
    hss: createHssApi({
      transport,
      endpoint: config.endpoints.hss,
      projectId,
      enterpriseProjectId: config.hssEnterpriseProjectId,
    }),
    projectId: () => projectId(),
    close: () => transportRef().close(),
  };
}
