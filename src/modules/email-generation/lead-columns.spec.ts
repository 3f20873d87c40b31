import { describe, expect, it } from '@jest/globals';
import {
  detectColumns,
  leadValues,
  overrideColumns,
  unusableMapReason,
  unusableRowReason,
} from './lead-columns.js';

describe('detectColumns', () => {
  it('maps a HubSpot export', () => {
    expect(
      detectColumns([
        'First Name',
        'Last Name',
        'Email',
        'Company Name',
        'Job Title',
        'Website URL',
        'Industry',
        'City',
      ]),
    ).toEqual({
      first_name: 'First Name',
      last_name: 'Last Name',
      email: 'Email',
      company: 'Company Name',
      title: 'Job Title',
      website: 'Website URL',
      industry: 'Industry',
      location: 'City',
    });
  });

  it('maps an Apollo export', () => {
    expect(
      detectColumns([
        'First Name',
        'Last Name',
        'Title',
        'Company Name for Emails',
        'Email',
        'Person Linkedin Url',
        'Country',
      ]),
    ).toMatchObject({
      title: 'Title',
      company: 'Company Name for Emails',
      linkedin: 'Person Linkedin Url',
      location: 'Country',
    });
  });

  it('maps Salesforce and Sales Navigator names', () => {
    expect(detectColumns(['Contact Name', 'Account Name', 'Mailing City', 'Description'])).toEqual({
      full_name: 'Contact Name',
      company: 'Account Name',
      location: 'Mailing City',
      notes: 'Description',
    });
    expect(
      detectColumns(['First Name', 'Current Title', 'Current Company', 'Profile URL', 'Geography']),
    ).toMatchObject({
      title: 'Current Title',
      company: 'Current Company',
      linkedin: 'Profile URL',
      location: 'Geography',
    });
  });

  it('uses a header for one field only', () => {
    const map = detectColumns(['Name', 'Company']);
    expect(map).toEqual({ full_name: 'Name', company: 'Company' });
  });
});

describe('overrides and refusals', () => {
  const headers = ['Handle', 'Org', 'Website'];

  it('lists the headers when no column is usable', () => {
    expect(unusableMapReason(detectColumns(headers), headers)).toContain(
      'Headers found: "Handle", "Org", "Website"',
    );
  });

  it('takes an override, and refuses unknown fields and headers', () => {
    const map = overrideColumns(detectColumns(headers), { company: 'Org', website: '' }, headers);
    expect(map).toEqual({ company: 'Org' });
    expect(unusableMapReason(map, headers)).toBeNull();
    expect(() => overrideColumns({}, { nickname: 'Handle' }, headers)).toThrow(
      'unknown field "nickname"',
    );
    expect(() => overrideColumns({}, { company: 'Organisation' }, headers)).toThrow(
      '"Organisation"',
    );
  });

  it('reads a row through the map; a row without a name or company is unusable', () => {
    const map = { full_name: 'Handle', company: 'Org' };
    const values = leadValues(map, headers, ['Dana Scully ', 'Northwind', '']);
    expect(values).toEqual({ full_name: 'Dana Scully', first_name: 'Dana', company: 'Northwind' });
    expect(unusableRowReason(values)).toBeNull();
    expect(unusableRowReason(leadValues(map, headers, ['', ' ', 'x.com']))).toMatch(
      /no first name/,
    );
  });
});
