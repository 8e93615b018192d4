// The node's network on the host: a Linux bridge whose address is the node IP (the kubelet refuses a
// loopback node IP and this kernel has no dummy links), where the CNI bridge plugin attaches pods.
// The bridge has no default route for pods (isGateway false): they reach the node and each other,
// never another host, and the kernel's forwarding setting stays untouched. Their one route through
// the node is to Service addresses, which kube-proxy turns into the node's own (./pod-relay.ts).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SERVICE_CLUSTER_IP_RANGE } from './service-network.ts';
import { host } from './host-command.ts';

export const NODE_BRIDGE = 'pno-node0';
export const POD_SUBNET = '10.89.0.0/24';
export const NODE_IP = '10.89.0.1';

export async function bridgeExists(): Promise<boolean> {
  return host('ip', ['link', 'show', NODE_BRIDGE]).then(
    () => true,
    () => false,
  );
}

export async function createBridge(): Promise<void> {
  await host('ip', ['link', 'add', NODE_BRIDGE, 'type', 'bridge']);
  await host('ip', ['addr', 'add', `${NODE_IP}/24`, 'dev', NODE_BRIDGE]);
  await host('ip', ['link', 'set', NODE_BRIDGE, 'up']);
}

export async function deleteBridge(): Promise<void> {
  if (await bridgeExists()) await host('ip', ['link', 'delete', NODE_BRIDGE]);
}

/** The CNI network containerd sets pods up with: bridge + host-local addresses from POD_SUBNET. */
export async function writeCniConfig(confDir: string, ipamDir: string): Promise<void> {
  const config = {
    cniVersion: '1.0.0',
    name: 'pno-node',
    plugins: [
      {
        type: 'bridge',
        bridge: NODE_BRIDGE,
        isGateway: false,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: POD_SUBNET, gateway: NODE_IP }]],
          routes: [{ dst: SERVICE_CLUSTER_IP_RANGE, gw: NODE_IP }],
          dataDir: ipamDir,
        },
      },
    ],
  };
  await writeFile(join(confDir, '10-pno-node.conflist'), JSON.stringify(config, null, 2));
}
