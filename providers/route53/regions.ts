// Where a cluster's region sits among AWS regions, and the ELB hosted zones that alias
// records must name. Route53 latency records take an AWS region only; kfed's clusters
// may run anywhere, so a region of another cloud is mapped to the AWS region closest
// to it (same metro where AWS has one, else the nearest by geography). The table is
// documented in docs/providers/route53.md; keep the two in step.

/** AWS commercial regions that Route53 accepts as a latency `Region`. */
export const AWS_REGIONS: ReadonlySet<string> = new Set([
  'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7',
  'ca-central-1', 'ca-west-1', 'cn-north-1', 'cn-northwest-1', 'eu-central-1', 'eu-central-2', 'eu-north-1',
  'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'il-central-1', 'me-central-1', 'me-south-1',
  'mx-central-1', 'sa-east-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
]);

/** Regions of other clouds (GCP, Azure) -> the nearest AWS region. */
export const NEAREST_AWS_REGION: Readonly<Record<string, string>> = {
  // Google Cloud
  'us-central1': 'us-east-2', // Iowa -> Ohio
  'us-east1': 'us-east-1', // South Carolina -> N. Virginia
  'us-east4': 'us-east-1', // N. Virginia
  'us-east5': 'us-east-2', // Columbus -> Ohio
  'us-south1': 'us-east-2', // Dallas -> Ohio
  'us-west1': 'us-west-2', // Oregon
  'us-west2': 'us-west-1', // Los Angeles -> N. California
  'us-west3': 'us-west-2', // Salt Lake City -> Oregon
  'us-west4': 'us-west-1', // Las Vegas -> N. California
  'northamerica-northeast1': 'ca-central-1', // Montreal
  'northamerica-northeast2': 'ca-central-1', // Toronto -> Montreal
  'southamerica-east1': 'sa-east-1', // Sao Paulo
  'southamerica-west1': 'sa-east-1', // Santiago -> Sao Paulo
  'europe-west1': 'eu-west-3', // Belgium -> Paris
  'europe-west2': 'eu-west-2', // London
  'europe-west3': 'eu-central-1', // Frankfurt
  'europe-west4': 'eu-central-1', // Netherlands -> Frankfurt
  'europe-west6': 'eu-central-2', // Zurich
  'europe-west8': 'eu-south-1', // Milan
  'europe-west9': 'eu-west-3', // Paris
  'europe-southwest1': 'eu-south-2', // Madrid -> Spain
  'europe-north1': 'eu-north-1', // Finland -> Stockholm
  'europe-central2': 'eu-central-1', // Warsaw -> Frankfurt
  'asia-east1': 'ap-east-1', // Taiwan -> Hong Kong
  'asia-east2': 'ap-east-1', // Hong Kong
  'asia-northeast1': 'ap-northeast-1', // Tokyo
  'asia-northeast2': 'ap-northeast-3', // Osaka
  'asia-northeast3': 'ap-northeast-2', // Seoul
  'asia-south1': 'ap-south-1', // Mumbai
  'asia-south2': 'ap-south-2', // Delhi -> Hyderabad
  'asia-southeast1': 'ap-southeast-1', // Singapore
  'asia-southeast2': 'ap-southeast-3', // Jakarta
  'australia-southeast1': 'ap-southeast-2', // Sydney
  'australia-southeast2': 'ap-southeast-4', // Melbourne
  'me-west1': 'il-central-1', // Tel Aviv
  'me-central1': 'me-south-1', // Doha -> Bahrain
  'africa-south1': 'af-south-1', // Johannesburg -> Cape Town
  // Azure
  eastus: 'us-east-1',
  eastus2: 'us-east-1',
  centralus: 'us-east-2',
  northcentralus: 'us-east-2',
  southcentralus: 'us-east-2',
  westcentralus: 'us-west-2',
  westus: 'us-west-1',
  westus2: 'us-west-2',
  westus3: 'us-west-1',
  canadacentral: 'ca-central-1',
  canadaeast: 'ca-central-1',
  brazilsouth: 'sa-east-1',
  northeurope: 'eu-west-1', // Ireland
  westeurope: 'eu-central-1', // Netherlands -> Frankfurt
  uksouth: 'eu-west-2',
  ukwest: 'eu-west-2',
  francecentral: 'eu-west-3',
  germanywestcentral: 'eu-central-1',
  switzerlandnorth: 'eu-central-2',
  norwayeast: 'eu-north-1',
  swedencentral: 'eu-north-1',
  italynorth: 'eu-south-1',
  polandcentral: 'eu-central-1',
  spaincentral: 'eu-south-2',
  eastasia: 'ap-east-1',
  southeastasia: 'ap-southeast-1',
  japaneast: 'ap-northeast-1',
  japanwest: 'ap-northeast-3',
  koreacentral: 'ap-northeast-2',
  centralindia: 'ap-south-1',
  southindia: 'ap-south-1',
  westindia: 'ap-south-1',
  australiaeast: 'ap-southeast-2',
  australiasoutheast: 'ap-southeast-4',
  uaenorth: 'me-central-1',
  qatarcentral: 'me-south-1',
  israelcentral: 'il-central-1',
  southafricanorth: 'af-south-1',
  mexicocentral: 'mx-central-1',
};

/** The AWS region a latency record of a cluster in `region` gets, or undefined when unknown. */
export function awsRegionFor(region: string | undefined): string | undefined {
  const r = region?.trim().toLowerCase();
  if (!r) return undefined;
  if (AWS_REGIONS.has(r)) return r;
  return NEAREST_AWS_REGION[r];
}

// Canonical hosted zones of Elastic Load Balancing, from AWS's "Elastic Load Balancing
// endpoints and quotas" table: Application and Classic load balancers share one zone
// per region, Network load balancers have their own.
const ALB_ZONES: Readonly<Record<string, string>> = {
  'us-east-1': 'Z35SXDOTRQ7X7K', 'us-east-2': 'Z3AADJGX6KTTL2', 'us-west-1': 'Z368ELLRRE2KJ0', 'us-west-2': 'Z1H1FL5HABSF5',
  'ca-central-1': 'ZQSVJUPU6J1EY', 'sa-east-1': 'Z2P70J7HTTTPLU', 'af-south-1': 'Z268VQBMOI5EKX', 'me-south-1': 'ZS929ML54UICD',
  'eu-central-1': 'Z215JYRZR1TBD5', 'eu-west-1': 'Z32O12XQLNTSW2', 'eu-west-2': 'ZHURV8PSTC4K8', 'eu-west-3': 'Z3Q77PNBQS71R4',
  'eu-north-1': 'Z23TAZ6LKFMNIO', 'eu-south-1': 'Z3ULH7SSC9OV64', 'ap-east-1': 'Z3DQVH9N71FHZ0', 'ap-south-1': 'ZP97RAFLXTNZK',
  'ap-northeast-1': 'Z14GRHDCWA56QT', 'ap-northeast-2': 'ZWKZPGTI48KDX', 'ap-northeast-3': 'Z5LXEXXYW11ES',
  'ap-southeast-1': 'Z1LMS91P8CMLE5', 'ap-southeast-2': 'Z1GM3OXH4ZPM65', 'ap-southeast-3': 'Z08888821HLRG5A9ZRTER',
};
const NLB_ZONES: Readonly<Record<string, string>> = {
  'us-east-1': 'Z26RNL4JYFTOTI', 'us-east-2': 'ZLMOA37VPKANP', 'us-west-1': 'Z24FKFUX50B4VW', 'us-west-2': 'Z18D5FSROUN65G',
  'ca-central-1': 'Z2EPGBW3API2WT', 'sa-east-1': 'ZTK26PT1VY4CU', 'af-south-1': 'Z203XCE67M25HM', 'me-south-1': 'Z3QSRYVP46NYYV',
  'eu-central-1': 'Z3F0SRJ5LGBH90', 'eu-west-1': 'Z2IFOLAFXWLO4F', 'eu-west-2': 'ZD4D7Y8KGAS4G', 'eu-west-3': 'Z1CMS0P5QUZ6D5',
  'eu-north-1': 'Z1UDT6IFJ4EJM', 'eu-south-1': 'Z23146JA1KNAFP', 'ap-east-1': 'Z12Y7K3UBGUAD1', 'ap-south-1': 'ZVDDRBQ08TROA',
  'ap-northeast-1': 'Z31USIVHYNEOWT', 'ap-northeast-2': 'ZIBE1TIR4HY56', 'ap-northeast-3': 'Z1GWIQ4HH19I5X',
  'ap-southeast-1': 'ZKVM4W9LS7TM', 'ap-southeast-2': 'ZCT6FZBF4DROD', 'ap-southeast-3': 'Z01971771FYVNCOVWJU1G',
};

// <name>.<region>.elb.amazonaws.com (ALB, CLB; `dualstack.` allowed in front) and
// <name>.elb.<region>.amazonaws.com (NLB).
const ALB_RE = /^(?:dualstack\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.([a-z]{2}-[a-z]+-\d)\.elb\.amazonaws\.com$/;
const NLB_RE = /^(?:dualstack\.)?[a-z0-9-]+\.elb\.([a-z]{2}-[a-z]+-\d)\.amazonaws\.com$/;

/** The alias hosted zone of an ELB hostname (normalized, no trailing dot), or undefined when it is not one. */
export function elbHostedZone(hostname: string): string | undefined {
  const nlb = NLB_RE.exec(hostname);
  if (nlb?.[1] !== undefined) return NLB_ZONES[nlb[1]];
  const alb = ALB_RE.exec(hostname);
  if (alb?.[1] !== undefined) return ALB_ZONES[alb[1]];
  return undefined;
}
