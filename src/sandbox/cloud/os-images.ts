import type { SimImage } from "./world-types.js";

/** Public images the simulated fleet boots from (IDs are fixed so they are stable across seeds). */
export const OS_IMAGES = {
  ubuntu22: {
    id: "1b1d5f3c-6a6f-4d1e-9a43-2b8d2d7c0a01",
    name: "Ubuntu 22.04 server 64bit",
    osType: "Linux",
    osName: "Ubuntu",
    osVersion: "22.04",
    kernelVersion: "5.15.0-60-generic",
  },
  hce2: {
    id: "1b1d5f3c-6a6f-4d1e-9a43-2b8d2d7c0a02",
    name: "Huawei Cloud EulerOS 2.0 Standard 64 bit",
    osType: "Linux",
    osName: "HCE OS",
    osVersion: "2.0",
    kernelVersion: "5.10.0-60.18.0.50.r865_35.hce2.x86_64",
  },
  centos79: {
    id: "1b1d5f3c-6a6f-4d1e-9a43-2b8d2d7c0a03",
    name: "CentOS 7.9 64bit",
    osType: "Linux",
    osName: "CentOS",
    osVersion: "7.9",
    kernelVersion: "3.10.0-1160.el7.x86_64",
  },
  euler29: {
    id: "1b1d5f3c-6a6f-4d1e-9a43-2b8d2d7c0a04",
    name: "EulerOS 2.9 64bit",
    osType: "Linux",
    osName: "EulerOS",
    osVersion: "2.9",
    kernelVersion: "4.18.0-147.5.1.6.h686.eulerosv2r9.x86_64",
  },
  win2019: {
    id: "1b1d5f3c-6a6f-4d1e-9a43-2b8d2d7c0a05",
    name: "Windows Server 2019 Datacenter 64bit English",
    osType: "Windows",
    osName: "Windows",
    osVersion: "Windows Server 2019 Datacenter",
    kernelVersion: "10.0.17763",
  },
} as const satisfies Record<string, SimImage>;

export type OsImageKey = keyof typeof OS_IMAGES;

/** The public image with this ID, if the simulated region has one (change OS and the image API read it). */
export function osImageById(id: string): SimImage | undefined {
  return Object.values(OS_IMAGES).find((image) => image.id === id);
}
