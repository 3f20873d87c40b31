import { defineUpload, SPREADSHEET_KINDS } from '../../core/files/index.js';

/** The seed's upload: a CSV or XLSX of leads (50 MB: UPLOAD_MAX_SPREADSHEET_MB), plus settings. */
export const LEAD_FILE_UPLOAD = defineUpload({
  limit: 'spreadsheet',
  files: {
    file: {
      kinds: SPREADSHEET_KINDS,
      required: true,
      description:
        'Leads, one per row, with a header row (HubSpot, Apollo, Salesforce and Sales Navigator exports are mapped automatically).',
    },
  },
  text: {
    template: {
      maxLength: 4000,
      description:
        'The prompt per row, with {{placeholders}}: lead fields ({{first_name}}, {{company}}, {{title}}...), {{offer}}, {{sender_role}} or any column by its header. Default: the seed prompt.',
      example: 'Write a 60-word email to {{first_name}} at {{company}} about {{offer}}.',
    },
    offer: {
      maxLength: 300,
      description: 'What the emails offer (default EMAIL_DEFAULT_OFFER).',
      example: 'AI automation for order processing',
    },
    sender_role: {
      maxLength: 300,
      description: "Who the emails are written as (the system prompt's role).",
      example: 'an AI automation specialist at Acme Automation',
    },
    column_map: {
      maxLength: 2000,
      description:
        'JSON overriding the detected columns, lead field -> header, e.g. {"company": "Organisation"} ("" drops a field).',
      example: '{"company": "Organisation"}',
    },
    budget_usd: {
      maxLength: 20,
      description: 'Pause the job when its cost reaches this many USD.',
      example: '5',
    },
    auto_start: {
      type: 'boolean',
      description:
        'Start generating at once (default true). false: the job waits for POST /api/email-generation/jobs/{job_id}/start, e.g. after a preview.',
      example: true,
    },
  },
});
