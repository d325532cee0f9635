import type { SimFlavor } from "./world-types.js";

/**
 * The flavors the simulated region sells. Names follow Huawei Cloud's scheme
 * `<family><generation>.<size>.<RAM:vCPU ratio>`.
 */
export const FLAVOR_CATALOG: readonly SimFlavor[] = [
  flavor("s6.small.1", 1, 1, "normal", "s6"),
  flavor("s6.medium.2", 1, 2, "normal", "s6"),
  flavor("s6.large.2", 2, 4, "normal", "s6"),
  flavor("s6.xlarge.2", 4, 8, "normal", "s6"),
  flavor("c7.large.2", 2, 4, "computingv3", "c7"),
  flavor("c7.xlarge.2", 4, 8, "computingv3", "c7"),
  flavor("c7.2xlarge.4", 8, 32, "computingv3", "c7"),
  flavor("m6.large.8", 2, 16, "highmem", "m6"),
  flavor("m6.2xlarge.8", 8, 64, "highmem", "m6"),
];

function flavor(
  id: string,
  vcpus: number,
  ramGb: number,
  performanceType: string,
  generation: string,
): SimFlavor {
  return {
    id,
    vcpus,
    ramMb: ramGb * 1024,
    performanceType,
    generation,
    resourceType: `IOoptimized${generation.toUpperCase()}`,
  };
}
