// Where each sandbox cluster "runs": region, zones, node capacity and its load-balancer pool.

export interface ClusterTopology {
  name: string;
  region: string;
  zones: string[];
  nodesPerZone: number;
  podsPerNode: number;
  /** the cluster's allocatable pods in all, spread over its nodes (instead of podsPerNode each) */
  podCapacity?: number;
}

const REGIONS: { region: string; zones: string[] }[] = [
  { region: 'us-east-1', zones: ['us-east-1a', 'us-east-1b'] },
  { region: 'eu-west-1', zones: ['eu-west-1a'] },
  { region: 'ap-southeast-1', zones: ['ap-southeast-1a'] },
  { region: 'us-west-2', zones: ['us-west-2a'] },
  { region: 'eu-central-1', zones: ['eu-central-1a'] },
  { region: 'ap-northeast-1', zones: ['ap-northeast-1a'] },
  { region: 'sa-east-1', zones: ['sa-east-1a'] },
  { region: 'ca-central-1', zones: ['ca-central-1a'] },
  { region: 'ap-south-1', zones: ['ap-south-1a'] },
  { region: 'eu-north-1', zones: ['eu-north-1a'] },
  { region: 'af-south-1', zones: ['af-south-1a'] },
  { region: 'me-south-1', zones: ['me-south-1a'] },
];

/** Default topology of cluster number `i` (0-based): the first three follow the Kubefed demo's spread. */
export function defaultTopology(i: number): ClusterTopology {
  const r = REGIONS[i % REGIONS.length]!;
  return { name: `cluster-${i + 1}`, region: r.region, zones: [...r.zones], nodesPerZone: 1, podsPerNode: 100 };
}

const LB_RANGES = ['192.0.2', '198.51.100', '203.0.113'];

/** Load-balancer addresses for cluster `i`, from the documentation ranges (never routed). */
export function lbPool(i: number): () => string {
  const prefix = LB_RANGES[i % 3]!;
  const base = 1 + ((Math.floor(i / 3) * 50) % 250);
  let n = 0;
  return () => {
    const host = base + (n++ % 50);
    return `${prefix}.${Math.min(host, 254)}`;
  };
}

export function podIp(clusterIndex: number): (uid: string, i: number) => string {
  return (uid, i) => {
    let h = 0;
    for (const ch of uid) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    const x = (h + i) % 65000;
    return `10.${(clusterIndex % 200) + 1}.${Math.floor(x / 254)}.${(x % 254) + 1}`;
  };
}
