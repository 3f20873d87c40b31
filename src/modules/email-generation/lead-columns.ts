import type { EmailLeadFields } from '../../core/llm/llm.types.js';

/** The lead fields an email is personalised from; `{{first_name}}` etc. in templates. */
export const LEAD_FIELDS = [
  'first_name',
  'last_name',
  'full_name',
  'email',
  'company',
  'title',
  'website',
  'industry',
  'linkedin',
  'location',
  'notes',
] as const;

export type LeadField = (typeof LEAD_FIELDS)[number];

/** Lead field -> the header it is read from. */
export type ColumnMap = Partial<Record<LeadField, string>>;

/**
 * Header names real exports use, normalised (lower case, letters and digits only): HubSpot
 * ("First Name", "Company Name", "Job Title", "Website URL"), Apollo ("Title", "Company Name for
 * Emails", "Person Linkedin Url", "City"), Salesforce ("Account Name", "Mailing City", "Lead
 * Source"), LinkedIn Sales Navigator ("Current Title", "Current Company", "Profile URL",
 * "Geography"). The first match in this order wins.
 */
const ALIASES: Record<LeadField, string[]> = {
  first_name: ['firstname', 'first', 'givenname', 'fname', 'contactfirstname', 'prenom', 'vorname'],
  last_name: ['lastname', 'last', 'surname', 'familyname', 'lname', 'contactlastname', 'nachname'],
  full_name: ['fullname', 'name', 'contactname', 'contact', 'leadname', 'person', 'personname'],
  email: [
    'email',
    'emailaddress',
    'workemail',
    'businessemail',
    'contactemail',
    'primaryemail',
    'mail',
    'email1',
  ],
  company: [
    'company',
    'companyname',
    'accountname',
    'account',
    'organization',
    'organisation',
    'organizationname',
    'currentcompany',
    'companynameforemails',
    'employer',
    'business',
  ],
  title: [
    'title',
    'jobtitle',
    'position',
    'role',
    'currenttitle',
    'designation',
    'headline',
    'jobrole',
  ],
  website: [
    'website',
    'websiteurl',
    'companywebsite',
    'url',
    'domain',
    'companydomain',
    'homepage',
    'web',
  ],
  industry: ['industry', 'sector', 'vertical', 'companyindustry', 'industrytype'],
  linkedin: [
    'linkedin',
    'linkedinurl',
    'linkedinprofile',
    'personlinkedinurl',
    'linkedinprofileurl',
    'profileurl',
    'salesnavigatorurl',
  ],
  location: [
    'location',
    'city',
    'country',
    'region',
    'geography',
    'mailingcity',
    'state',
    'address',
    'companycity',
  ],
  notes: ['notes', 'note', 'description', 'comments', 'comment', 'about', 'summary', 'leadsource'],
};

export function normaliseHeader(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Maps lead fields to headers by the names exports use; each header serves one field at most. */
export function detectColumns(headers: readonly string[]): ColumnMap {
  const map: ColumnMap = {};
  const taken = new Set<string>();
  const normalised = headers.map(normaliseHeader);
  for (const field of LEAD_FIELDS) {
    for (const alias of ALIASES[field]) {
      const index = normalised.findIndex((name, i) => name === alias && !taken.has(headers[i]));
      if (index >= 0) {
        map[field] = headers[index];
        taken.add(headers[index]);
        break;
      }
    }
  }
  return map;
}

/** Fields that make an email personal: a row needs one of them, a file needs a column for one. */
export const PERSONAL_FIELDS: readonly LeadField[] = ['first_name', 'full_name', 'company'];

/** Why a column map cannot be used, or null when it can. */
export function unusableMapReason(map: ColumnMap, headers: readonly string[]): string | null {
  if (PERSONAL_FIELDS.some((field) => map[field])) return null;
  return `No usable column: the file needs a first name, full name or company column to personalise from. Headers found: ${headers.map((h) => `"${h}"`).join(', ') || '(none)'}. Name a column with column_map, e.g. {"company": "Organisation"}.`;
}

/**
 * Applies an override (field -> header, or "" to drop a field) over the detected map. An unknown
 * field or a header the file does not have is an error naming it.
 */
export function overrideColumns(
  detected: ColumnMap,
  override: Record<string, unknown>,
  headers: readonly string[],
): ColumnMap {
  const map: ColumnMap = { ...detected };
  for (const [field, header] of Object.entries(override)) {
    if (!(LEAD_FIELDS as readonly string[]).includes(field))
      throw new Error(
        `column_map: unknown field "${field}"; fields are ${LEAD_FIELDS.join(', ')}.`,
      );
    if (header === '' || header === null) {
      delete map[field as LeadField];
      continue;
    }
    if (typeof header !== 'string' || !headers.includes(header))
      throw new Error(
        `column_map: ${field} names "${String(header)}", which is not a header of the file (${headers.map((h) => `"${h}"`).join(', ')}).`,
      );
    map[field as LeadField] = header;
  }
  return map;
}

export type LeadValues = Partial<Record<LeadField, string>>;

/** The row's lead fields through the map (empty cells left out). */
export function leadValues(
  map: ColumnMap,
  headers: readonly string[],
  cells: readonly string[],
): LeadValues {
  const values: LeadValues = {};
  for (const field of LEAD_FIELDS) {
    const header = map[field];
    if (!header) continue;
    const value = (cells[headers.indexOf(header)] ?? '').trim();
    if (value) values[field] = value;
  }
  if (!values.first_name && values.full_name) values.first_name = values.full_name.split(/\s+/)[0];
  return values;
}

/** Why a row cannot be personalised, or null. */
export function unusableRowReason(values: LeadValues): string | null {
  if (values.first_name || values.full_name || values.company) return null;
  return 'The row has no first name, full name or company to personalise the email from.';
}

/** What the offline provider reads (it cannot read prose). */
export function toLeadFields(
  values: LeadValues,
  map: ColumnMap,
  headers: readonly string[],
  cells: readonly string[],
): EmailLeadFields {
  const mapped = new Set(Object.values(map));
  const extra: Record<string, string> = {};
  headers.forEach((header, i) => {
    const cell = (cells[i] ?? '').trim();
    if (!mapped.has(header) && cell) extra[header] = cell;
  });
  if (values.notes) extra.Notes = values.notes;
  if (values.linkedin) extra.LinkedIn = values.linkedin;
  return {
    firstName: values.first_name,
    lastName: values.last_name,
    fullName: values.full_name,
    company: values.company,
    jobTitle: values.title,
    industry: values.industry,
    website: values.website,
    location: values.location,
    extra,
  };
}
