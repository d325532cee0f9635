import { iso } from "./create-job-engine.js";
import { keystoneError } from "./error-bodies.js";
import {
  first,
  isRecord,
  jsonObject,
  type Route,
  type RouteContext,
  type RouteResult,
} from "./match-route.js";
import type { SimCore } from "./sim-core.js";

function project(core: SimCore): Record<string, unknown> {
  const { projectId, region, domainId } = core.config;
  return {
    id: projectId,
    name: region,
    domain_id: domainId,
    parent_id: domainId,
    is_domain: false,
    enabled: true,
    description: "",
    links: { self: `${core.baseUrl}/v3/projects/${projectId}` },
  };
}

function catalog(core: SimCore): unknown[] {
  const { region } = core.config;
  const entry = (type: string, name: string) => ({
    type,
    name,
    id: `${name}-service`,
    endpoints: [
      { id: `${name}-endpoint`, interface: "public", region, region_id: region, url: core.baseUrl },
    ],
  });
  return [entry("compute", "ecs"), entry("hss", "hss"), entry("identity", "iam")];
}

/**
 * `POST /v3/auth/tokens` with password auth, scoped to the simulator's project (by name = region,
 * or by ID). Answers 201 with the token in `X-Subject-Token`, valid 24 hours.
 */
function issueToken(ctx: RouteContext): RouteResult {
  const { core } = ctx;
  const body = jsonObject(ctx.body);
  const auth = body?.auth;
  if (!isRecord(auth) || !isRecord(auth.identity))
    return keystoneError(400, "The request body must contain auth.identity.");
  const { identity } = auth;
  if (
    !Array.isArray(identity.methods) ||
    !identity.methods.includes("password") ||
    !isRecord(identity.password)
  ) {
    return keystoneError(400, "Only the password method is supported by this endpoint.");
  }
  const user = identity.password.user;
  if (
    !isRecord(user) ||
    typeof user.name !== "string" ||
    typeof user.password !== "string" ||
    !isRecord(user.domain)
  ) {
    return keystoneError(400, "auth.identity.password.user needs name, password and domain.");
  }
  const domainOk =
    user.domain.name === core.config.domainName ||
    (user.domain.name === undefined && user.domain.id === core.config.domainId);
  if (!domainOk || user.name !== core.config.userName || user.password !== core.config.password) {
    return keystoneError(401, "The username or password is wrong.");
  }
  const scope = auth.scope;
  if (!isRecord(scope) || !isRecord(scope.project)) {
    return keystoneError(400, "auth.scope.project is required: ECS and HSS are project-level services.");
  }
  const p = scope.project;
  const projectOk = p.name === core.config.region || p.id === core.config.projectId;
  if (!projectOk) return keystoneError(401, "The project does not exist or is not accessible to the user.");
  const now = ctx.now;
  const { token, record } = core.tokens.issue(
    {
      projectId: core.config.projectId,
      projectName: core.config.region,
      userName: core.config.userName,
      domainName: core.config.domainName,
      methods: ["password"],
    },
    now,
  );
  const domain = { id: core.config.domainId, name: core.config.domainName };
  const tokenBody: Record<string, unknown> = {
    expires_at: iso(record.expiresAt),
    issued_at: iso(record.issuedAt),
    methods: ["password"],
    project: { domain, id: core.config.projectId, name: core.config.region },
    roles: [
      { id: "0", name: "op_service" },
      { id: "1", name: "te_admin" },
    ],
    user: { domain, id: core.config.userId, name: core.config.userName, password_expires_at: "" },
  };
  if (first(ctx.query, "nocatalog") !== "true") tokenBody.catalog = catalog(core);
  return { status: 201, headers: { "X-Subject-Token": token }, body: { token: tokenBody } };
}

/** `GET /v3/projects?name={region}` (what the official SDKs call to look up a project ID). */
function listProjects(ctx: RouteContext): RouteResult {
  const name = first(ctx.query, "name");
  const id = first(ctx.query, "id");
  const domainId = first(ctx.query, "domain_id");
  const c = ctx.core.config;
  const visible =
    (!name || name === c.region) && (!id || id === c.projectId) && (!domainId || domainId === c.domainId);
  return {
    status: 200,
    body: {
      links: { self: `${ctx.core.baseUrl}/v3/projects`, previous: null, next: null },
      projects: visible ? [project(ctx.core)] : [],
    },
  };
}

export function createIamRoutes(): Route[] {
  return [
    { method: "POST", pattern: "/v3/auth/tokens", service: "iam", auth: false, handle: issueToken },
    { method: "GET", pattern: "/v3/projects", service: "iam", auth: true, handle: listProjects },
    { method: "GET", pattern: "/v3/auth/projects", service: "iam", auth: true, handle: listProjects },
  ];
}
