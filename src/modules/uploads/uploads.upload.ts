import { defineUpload, SPREADSHEET_KINDS } from '../../core/files/index.js';

/** The seed's upload form: `file`, plus the optional message template and offer. */
export const COMPANY_LIST_UPLOAD = defineUpload({
  limit: 'spreadsheet',
  files: {
    file: {
      kinds: SPREADSHEET_KINDS,
      required: true,
      description:
        'Companies, one per row, with a header row: a website column, web addresses in any column, or business email addresses.',
    },
  },
  text: {
    userId: {
      description:
        'Deprecated (seed 000): accepted and ignored. The upload belongs to the authenticated user.',
      maxLength: 100,
    },
    template: {
      maxLength: 4000,
      description:
        'Message instructions; placeholders {{company}}, {{website}}, {{offer}} and any column, e.g. {{First Name}}. Default: a short first message grounded in the website.',
      example:
        'Write a 70-word message to {{company}} about {{offer}}. Mention one thing from their website.',
    },
    offer: {
      maxLength: 300,
      description: 'What the messages offer (default: UPLOADS_DEFAULT_OFFER).',
      example: 'AI automation for order processing',
    },
  },
});
