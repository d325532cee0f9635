import Module, { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

type CoreSdk = typeof import("@huaweicloud/huaweicloud-sdk-core");
type EcsSdk = typeof import("@huaweicloud/huaweicloud-sdk-ecs");

/** The SDK's own AK/SK signer (not part of its public exports). */
export interface SdkSigner {
  sign(
    request: {
      endpoint: string;
      method: string;
      headers: Record<string, string>;
      queryParams?: Record<string, string>;
      data?: unknown;
    },
    credential: { getAk(): string; getSk(): string },
  ): Record<string, string>;
}

const require = createRequire(import.meta.url);

/**
 * Loads the official SDK. `@huaweicloud/huaweicloud-sdk-core` 3.1.211 does `require("uuid")` (for its
 * User-Agent app ID) without listing `uuid` in its dependencies; when the package is missing, the
 * request is pointed at a tiny local stand-in. Inert once `uuid` is installed.
 */
export function loadOfficialSdk(): { core: CoreSdk; ecs: EcsSdk; signer: SdkSigner } {
  const coreDir = require.resolve("@huaweicloud/huaweicloud-sdk-core");
  try {
    require.resolve("uuid", { paths: [coreDir] });
  } catch {
    const shim = fileURLToPath(new URL("./fixtures/uuid-shim.cjs", import.meta.url));
    const loader = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
    const original = loader._resolveFilename;
    loader._resolveFilename = function resolveWithShim(this: unknown, request: string, ...rest: unknown[]) {
      return request === "uuid" ? shim : original.call(this, request, ...rest);
    };
  }
  return {
    core: require("@huaweicloud/huaweicloud-sdk-core") as CoreSdk,
    ecs: require("@huaweicloud/huaweicloud-sdk-ecs") as EcsSdk,
    signer: (require("@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner") as { AKSKSigner: SdkSigner })
      .AKSKSigner,
  };
}
