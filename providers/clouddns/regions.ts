// Where a cluster's items go in Cloud DNS geo routing. Cloud DNS routes by the GCP
// region nearest to the query's source ("location" of a geo item), not by continent or
// country, so every kfed input is mapped to one GCP region: the cluster's own region
// (GCP names pass through; AWS and Azure names go to the nearest GCP region by metro),
// and kfed's geo codes (continent:XX, country:XX) to a GCP region on or near that
// ground. The tables are documented in docs/providers/clouddns.md; keep them in step.
import { continentOf, type Continent } from '../../src/dns/continents.js';

/** Used when nothing better is known (a cluster without a region, an unknown name). */
export const FALLBACK_LOCATION = 'us-central1';

const AWS: Readonly<Record<string, string>> = {
  'us-east-1': 'us-east4', 'us-east-2': 'us-east5', 'us-west-1': 'us-west2', 'us-west-2': 'us-west1',
  'ca-central-1': 'northamerica-northeast1', 'ca-west-1': 'northamerica-northeast2', 'mx-central-1': 'northamerica-south1',
  'sa-east-1': 'southamerica-east1',
  'eu-west-1': 'europe-west2', 'eu-west-2': 'europe-west2', 'eu-west-3': 'europe-west9', 'eu-central-1': 'europe-west3',
  'eu-central-2': 'europe-west6', 'eu-north-1': 'europe-north1', 'eu-south-1': 'europe-west8', 'eu-south-2': 'europe-southwest1',
  'me-south-1': 'me-central1', 'me-central-1': 'me-central1', 'il-central-1': 'me-west1', 'af-south-1': 'africa-south1',
  'ap-east-1': 'asia-east2', 'ap-south-1': 'asia-south1', 'ap-south-2': 'asia-south1', 'ap-northeast-1': 'asia-northeast1',
  'ap-northeast-2': 'asia-northeast3', 'ap-northeast-3': 'asia-northeast2', 'ap-southeast-1': 'asia-southeast1',
  'ap-southeast-2': 'australia-southeast1', 'ap-southeast-3': 'asia-southeast2', 'ap-southeast-4': 'australia-southeast2',
  'ap-southeast-5': 'asia-southeast1', 'ap-southeast-7': 'asia-southeast1',
};

const AZURE: Readonly<Record<string, string>> = {
  eastus: 'us-east4', eastus2: 'us-east4', centralus: 'us-central1', northcentralus: 'us-central1', southcentralus: 'us-south1',
  westus: 'us-west2', westus2: 'us-west1', westus3: 'us-west4', westcentralus: 'us-west3',
  canadacentral: 'northamerica-northeast2', canadaeast: 'northamerica-northeast1', brazilsouth: 'southamerica-east1',
  northeurope: 'europe-west2', westeurope: 'europe-west4', uksouth: 'europe-west2', ukwest: 'europe-west2',
  francecentral: 'europe-west9', germanywestcentral: 'europe-west3', switzerlandnorth: 'europe-west6',
  norwayeast: 'europe-north1', swedencentral: 'europe-north1', polandcentral: 'europe-central2', italynorth: 'europe-west8',
  spaincentral: 'europe-southwest1', uaenorth: 'me-central1', qatarcentral: 'me-central1', israelcentral: 'me-west1',
  southafricanorth: 'africa-south1', eastasia: 'asia-east2', southeastasia: 'asia-southeast1', japaneast: 'asia-northeast1',
  japanwest: 'asia-northeast2', koreacentral: 'asia-northeast3', centralindia: 'asia-south1', southindia: 'asia-south1',
  westindia: 'asia-south1', australiaeast: 'australia-southeast1', australiasoutheast: 'australia-southeast2',
};

const CONTINENT: Readonly<Record<Continent, string>> = {
  NA: 'us-central1', SA: 'southamerica-east1', EU: 'europe-west1', AF: 'africa-south1',
  AS: 'asia-southeast1', OC: 'australia-southeast1', AN: 'southamerica-west1',
};

// Countries with a GCP region on their soil or next door; any other country goes to
// its continent's region.
const COUNTRY: Readonly<Record<string, string>> = {
  US: 'us-central1', CA: 'northamerica-northeast1', MX: 'northamerica-south1', BR: 'southamerica-east1',
  CL: 'southamerica-west1', AR: 'southamerica-west1', GB: 'europe-west2', IE: 'europe-west2', BE: 'europe-west1',
  NL: 'europe-west4', DE: 'europe-west3', DK: 'europe-west3', AT: 'europe-west3', CH: 'europe-west6', FR: 'europe-west9',
  IT: 'europe-west8', ES: 'europe-southwest1', PT: 'europe-southwest1', PL: 'europe-central2', FI: 'europe-north1',
  SE: 'europe-north1', NO: 'europe-north1', IL: 'me-west1', QA: 'me-central1', AE: 'me-central1', SA: 'me-central2',
  ZA: 'africa-south1', IN: 'asia-south1', JP: 'asia-northeast1', KR: 'asia-northeast3', TW: 'asia-east1',
  HK: 'asia-east2', SG: 'asia-southeast1', ID: 'asia-southeast2', AU: 'australia-southeast1', NZ: 'australia-southeast1',
};

// GCP region names: `us-central1`, `europe-west10`, `northamerica-northeast1`; a GCP
// zone (`us-central1-a`) names its region.
const GCP_REGION = /^([a-z]+-[a-z]+[0-9]+)(-[a-z])?$/;

/** The GCP region for a cluster region (GCP, AWS or Azure name), or undefined when unknown. */
export function gcpRegionOf(region: string | undefined): string | undefined {
  const r = region?.trim().toLowerCase();
  if (!r) return undefined;
  const aws = AWS[r];
  if (aws) return aws;
  const azure = AZURE[r];
  if (azure) return azure;
  return GCP_REGION.exec(r)?.[1];
}

/** The GCP region for a continent code. */
export function gcpRegionOfContinent(continent: Continent): string {
  return CONTINENT[continent];
}

/** The GCP region for an ISO country code: its own table entry, else its continent's; undefined when unknown. */
export function gcpRegionOfCountry(country: string): string | undefined {
  const cc = country.toUpperCase();
  const own = COUNTRY[cc];
  if (own) return own;
  const continent = continentOf(cc);
  return continent ? CONTINENT[continent] : undefined;
}
