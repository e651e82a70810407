// ISO 3166-1 alpha-2 country -> continent code. The GeoLite2 city files shipped by
// @ip-location-db carry only country_code/latitude/longitude, so the continent that
// `continent:XX` geo rules need is derived here.

export type Continent = 'AF' | 'AN' | 'AS' | 'EU' | 'NA' | 'OC' | 'SA';

export const CONTINENTS: readonly Continent[] = ['AF', 'AN', 'AS', 'EU', 'NA', 'OC', 'SA'];

const BY_CONTINENT: Record<Continent, string> = {
  AF: 'AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW KE KM LR LS LY MA MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG YT ZA ZM ZW',
  AN: 'AQ BV GS HM TF',
  AS: 'AE AF AM AZ BD BH BN BT CC CN CX GE HK ID IL IN IO IQ IR JO JP KG KH KP KR KW KZ LA LB LK MM MN MO MV MY NP OM PH PK PS QA SA SG SY TH TJ TL TM TR TW UZ VN YE',
  EU: 'AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES EU FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA XK',
  NA: 'AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF MQ MS MX NI PA PM PR SV SX TC TT US VC VG VI',
  OC: 'AS AU CK FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU WF WS',
  SA: 'AR BO BR CL CO EC FK GF GY PE PY SR UY VE',
};

const TABLE: ReadonlyMap<string, Continent> = (() => {
  const m = new Map<string, Continent>();
  for (const c of CONTINENTS) for (const cc of BY_CONTINENT[c].split(' ')) m.set(cc, c);
  return m;
})();

/** Continent of an upper-case ISO country code, or undefined when unknown. */
export function continentOf(country: string): Continent | undefined {
  return TABLE.get(country);
}

export function isContinent(code: string): code is Continent {
  return (CONTINENTS as readonly string[]).includes(code);
}
