// Built-in cloud regions: the metro area each AWS, GCP and Azure region is in, and its
// coordinates (approximate, public knowledge). regions.ts turns them into the latency table;
// backbone.ts says how the metro areas are connected.

export interface Coordinates {
  lat: number;
  lon: number;
}

export const CITY: Record<string, Coordinates> = {
  ashburn: { lat: 39.04, lon: -77.49 }, columbus: { lat: 39.96, lon: -83.0 }, sanjose: { lat: 37.34, lon: -121.89 },
  oregon: { lat: 45.6, lon: -121.18 }, iowa: { lat: 41.26, lon: -95.86 }, carolina: { lat: 33.2, lon: -80.01 },
  dallas: { lat: 32.78, lon: -96.8 }, losangeles: { lat: 34.05, lon: -118.24 }, saltlake: { lat: 40.76, lon: -111.89 },
  lasvegas: { lat: 36.17, lon: -115.14 }, chicago: { lat: 41.88, lon: -87.63 }, sanantonio: { lat: 29.42, lon: -98.49 },
  wyoming: { lat: 41.14, lon: -104.82 }, sanfrancisco: { lat: 37.77, lon: -122.42 }, quincy: { lat: 47.23, lon: -119.85 },
  phoenix: { lat: 33.45, lon: -112.07 }, montreal: { lat: 45.5, lon: -73.57 }, toronto: { lat: 43.65, lon: -79.38 },
  quebec: { lat: 46.81, lon: -71.21 }, calgary: { lat: 51.05, lon: -114.07 }, queretaro: { lat: 20.59, lon: -100.39 },
  saopaulo: { lat: -23.55, lon: -46.63 }, santiago: { lat: -33.45, lon: -70.67 },
  dublin: { lat: 53.35, lon: -6.26 }, london: { lat: 51.51, lon: -0.13 }, cardiff: { lat: 51.48, lon: -3.18 },
  paris: { lat: 48.86, lon: 2.35 }, marseille: { lat: 43.3, lon: 5.37 }, frankfurt: { lat: 50.11, lon: 8.68 },
  berlin: { lat: 52.52, lon: 13.4 }, zurich: { lat: 47.38, lon: 8.54 }, geneva: { lat: 46.2, lon: 6.14 },
  milan: { lat: 45.46, lon: 9.19 }, turin: { lat: 45.07, lon: 7.69 }, madrid: { lat: 40.42, lon: -3.7 },
  zaragoza: { lat: 41.65, lon: -0.89 }, stockholm: { lat: 59.33, lon: 18.07 }, gavle: { lat: 60.67, lon: 17.14 },
  oslo: { lat: 59.91, lon: 10.75 }, stavanger: { lat: 58.97, lon: 5.73 }, hamina: { lat: 60.57, lon: 27.2 },
  warsaw: { lat: 52.23, lon: 21.01 }, brussels: { lat: 50.47, lon: 3.82 }, eemshaven: { lat: 53.44, lon: 6.83 },
  amsterdam: { lat: 52.37, lon: 4.9 }, telaviv: { lat: 32.09, lon: 34.78 }, bahrain: { lat: 26.07, lon: 50.56 },
  dubai: { lat: 25.2, lon: 55.27 }, abudhabi: { lat: 24.45, lon: 54.38 }, doha: { lat: 25.29, lon: 51.53 },
  dammam: { lat: 26.43, lon: 50.1 }, capetown: { lat: -33.92, lon: 18.42 }, johannesburg: { lat: -26.2, lon: 28.05 },
  hongkong: { lat: 22.32, lon: 114.17 }, taiwan: { lat: 24.08, lon: 120.54 }, tokyo: { lat: 35.68, lon: 139.69 },
  osaka: { lat: 34.69, lon: 135.5 }, seoul: { lat: 37.57, lon: 126.98 }, busan: { lat: 35.18, lon: 129.08 },
  mumbai: { lat: 19.08, lon: 72.88 }, pune: { lat: 18.52, lon: 73.86 }, chennai: { lat: 13.08, lon: 80.27 },
  hyderabad: { lat: 17.39, lon: 78.49 }, delhi: { lat: 28.61, lon: 77.21 }, singapore: { lat: 1.35, lon: 103.82 },
  jakarta: { lat: -6.21, lon: 106.85 }, kualalumpur: { lat: 3.14, lon: 101.69 }, bangkok: { lat: 13.76, lon: 100.5 },
  sydney: { lat: -33.87, lon: 151.21 }, melbourne: { lat: -37.81, lon: 144.96 }, canberra: { lat: -35.28, lon: 149.13 },
  auckland: { lat: -36.85, lon: 174.76 },
};

// region name -> city key, for AWS, GCP and Azure.
export const REGION_CITY: Record<string, string> = {
  // AWS
  'us-east-1': 'ashburn', 'us-east-2': 'columbus', 'us-west-1': 'sanjose', 'us-west-2': 'oregon',
  'us-gov-east-1': 'columbus', 'us-gov-west-1': 'oregon', 'ca-central-1': 'montreal', 'ca-west-1': 'calgary',
  'mx-central-1': 'queretaro', 'sa-east-1': 'saopaulo', 'eu-west-1': 'dublin', 'eu-west-2': 'london',
  'eu-west-3': 'paris', 'eu-central-1': 'frankfurt', 'eu-central-2': 'zurich', 'eu-south-1': 'milan',
  'eu-south-2': 'zaragoza', 'eu-north-1': 'stockholm', 'il-central-1': 'telaviv', 'me-south-1': 'bahrain',
  'me-central-1': 'abudhabi', 'af-south-1': 'capetown', 'ap-east-1': 'hongkong', 'ap-east-2': 'taiwan',
  'ap-northeast-1': 'tokyo', 'ap-northeast-2': 'seoul', 'ap-northeast-3': 'osaka', 'ap-south-1': 'mumbai',
  'ap-south-2': 'hyderabad', 'ap-southeast-1': 'singapore', 'ap-southeast-2': 'sydney', 'ap-southeast-3': 'jakarta',
  'ap-southeast-4': 'melbourne', 'ap-southeast-5': 'kualalumpur', 'ap-southeast-7': 'bangkok',
  // GCP
  'us-central1': 'iowa', 'us-east1': 'carolina', 'us-east4': 'ashburn', 'us-east5': 'columbus', 'us-south1': 'dallas',
  'us-west1': 'oregon', 'us-west2': 'losangeles', 'us-west3': 'saltlake', 'us-west4': 'lasvegas',
  'northamerica-northeast1': 'montreal', 'northamerica-northeast2': 'toronto', 'northamerica-south1': 'queretaro',
  'southamerica-east1': 'saopaulo', 'southamerica-west1': 'santiago', 'europe-west1': 'brussels',
  'europe-west2': 'london', 'europe-west3': 'frankfurt', 'europe-west4': 'eemshaven', 'europe-west6': 'zurich',
  'europe-west8': 'milan', 'europe-west9': 'paris', 'europe-west10': 'berlin', 'europe-west12': 'turin',
  'europe-north1': 'hamina', 'europe-north2': 'stockholm', 'europe-central2': 'warsaw', 'europe-southwest1': 'madrid',
  'me-west1': 'telaviv', 'me-central1': 'doha', 'me-central2': 'dammam', 'africa-south1': 'johannesburg',
  'asia-east1': 'taiwan', 'asia-east2': 'hongkong', 'asia-northeast1': 'tokyo', 'asia-northeast2': 'osaka',
  'asia-northeast3': 'seoul', 'asia-south1': 'mumbai', 'asia-south2': 'delhi', 'asia-southeast1': 'singapore',
  'asia-southeast2': 'jakarta', 'australia-southeast1': 'sydney', 'australia-southeast2': 'melbourne',
  // Azure
  eastus: 'ashburn', eastus2: 'ashburn', centralus: 'iowa', northcentralus: 'chicago', southcentralus: 'sanantonio',
  westcentralus: 'wyoming', westus: 'sanfrancisco', westus2: 'quincy', westus3: 'phoenix', canadacentral: 'toronto',
  canadaeast: 'quebec', mexicocentral: 'queretaro', brazilsouth: 'saopaulo', chilecentral: 'santiago',
  northeurope: 'dublin', westeurope: 'amsterdam', uksouth: 'london', ukwest: 'cardiff', francecentral: 'paris',
  francesouth: 'marseille', germanywestcentral: 'frankfurt', germanynorth: 'berlin', switzerlandnorth: 'zurich',
  switzerlandwest: 'geneva', norwayeast: 'oslo', norwaywest: 'stavanger', swedencentral: 'gavle',
  polandcentral: 'warsaw', italynorth: 'milan', spaincentral: 'madrid', israelcentral: 'telaviv',
  qatarcentral: 'doha', uaenorth: 'dubai', uaecentral: 'abudhabi', southafricanorth: 'johannesburg',
  southafricawest: 'capetown', eastasia: 'hongkong', southeastasia: 'singapore', japaneast: 'tokyo',
  japanwest: 'osaka', koreacentral: 'seoul', koreasouth: 'busan', centralindia: 'pune', southindia: 'chennai',
  westindia: 'mumbai', australiaeast: 'sydney', australiasoutheast: 'melbourne', australiacentral: 'canberra',
  indonesiacentral: 'jakarta', malaysiawest: 'kualalumpur', newzealandnorth: 'auckland',
};


const EARTH_RADIUS_KM = 6371;

export function greatCircleKm(a: Coordinates, b: Coordinates): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
